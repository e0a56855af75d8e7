/**
 * The I/O shell of `peakwatch capacity`: runs one constant-rate load run per step (each a real
 * run with its own id, so the hub keeps the evidence), judges its windows against the SLOs,
 * scrapes the shop's /metrics during the measured part, and lets the pure search pick the next
 * rate until the knee is found and the last good step confirmed.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { CapacityMeasurement, CapacityStep } from "../../core/api/readiness.ts";
import type { Profile } from "../../core/profile.ts";
import type { ParsedThreshold } from "../../core/threshold.ts";
import type { Window } from "../../core/window.ts";
import { runLoad } from "../runner.ts";
import { nextStep, type SearchOptions, type StepRecord } from "./knee.ts";
import { parseExposition, type SaturationSignal, saturationSignals } from "./saturation.ts";
import { judgeStep } from "./step-verdict.ts";

export interface CapacityOptions {
  /** The journey mix and executor settings the steps run with. */
  profile: Profile;
  profileName: string;
  target: string;
  /** The key the hub keeps this measurement's history under. */
  targetName: string;
  slos: ParsedThreshold[];
  search: SearchOptions;
  warmupSeconds: number;
  measureSeconds: number;
  windowSeconds: number;
  sustainWindows: number;
  /** Pause between steps, so the shop drains one step's backlog before the next is judged. */
  cooldownSeconds: number;
  /** An unjudged run at half the start rate first, so step 1 does not measure a cold shop (0: none). */
  primeSeconds: number;
  plannedPeak: number | null;
  plannedFrom: string | null;
  hub?: { url: string; token: string };
  dataDir: string;
  outDir: string;
  testHooksToken?: string;
  customers?: number;
  log: (line: string) => void;
  signal?: AbortSignal;
}

/** Resolves after `ms`, or at once when `signal` aborts; leaves no listener behind. */
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });

/**
 * One scrape of the shop's metrics; undefined when it does not answer (a saturated shop may
 * not, and then its signals are missing from the report rather than failing the step).
 */
async function scrape(target: string): Promise<Map<string, number> | undefined> {
  try {
    const r = await fetch(new URL("/metrics", target), { signal: AbortSignal.timeout(5000) });
    return r.ok ? parseExposition(await r.text()) : undefined;
  } catch {
    return undefined;
  }
}

interface StepRun extends StepRecord {
  runId: string;
  journeysPerSecond: number;
  requestsPerSecond: number;
  saturation: SaturationSignal[];
}

/** The constant-rate run of one step: the profile's journeys and executor, none of its stages, thresholds or faults. */
function stepProfile(o: CapacityOptions, rate: number, seconds: number): Profile {
  return {
    ...o.profile,
    name: `${o.profileName} @ ${rate} journeys/s`,
    startRate: rate,
    stages: [{ duration: seconds, rate }],
    thresholds: [],
    faults: [],
    breakpoint: false,
  };
}

async function runStep(
  o: CapacityOptions,
  rate: number,
  runId: string,
  signal: AbortSignal,
): Promise<Omit<StepRun, "purpose">> {
  const profile = stepProfile(o, rate, o.warmupSeconds + o.measureSeconds + 1);
  const windows: Window[] = [];
  // Scrapes at the start and near the end of the measured part, while the step's load runs.
  const scrapes = (async () => {
    await sleep(o.warmupSeconds * 1000 + 100, signal);
    const before = await scrape(o.target);
    const t0 = performance.now();
    await sleep((o.measureSeconds - 0.5) * 1000, signal);
    const after = await scrape(o.target);
    const seconds = (performance.now() - t0) / 1000;
    return after ? saturationSignals(before ?? new Map(), after, seconds) : [];
  })();
  const outcome = await runLoad({
    profile,
    profileName: `capacity:${o.profileName}`,
    target: o.target,
    runId,
    hub: o.hub,
    dataDir: o.dataDir,
    outDir: join(o.outDir, runId),
    testHooksToken: o.testHooksToken,
    customers: o.customers,
    signal,
    sinks: [{ accept: (ws) => windows.push(...ws) }],
    log: o.log,
  });
  const first = Math.floor(outcome.summary.startedAt / 1000) + 1;
  const verdict = judgeStep(windows, o.slos, {
    from: first + o.warmupSeconds,
    to: first + o.warmupSeconds + o.measureSeconds,
    windowSeconds: o.windowSeconds,
    sustainWindows: o.sustainWindows,
  });
  return {
    runId,
    rate,
    ok: verdict.ok && outcome.summary.status !== "error",
    broken: verdict.broken,
    journeysPerSecond: Math.round(verdict.journeysPerSecond * 100) / 100,
    requestsPerSecond: Math.round(verdict.requestsPerSecond * 10) / 10,
    saturation: await scrapes,
  };
}

/** Runs the search to its end (or until `signal` aborts) and returns the measurement. */
export async function measureCapacity(o: CapacityOptions): Promise<CapacityMeasurement> {
  const base = `cap-${new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14)}-${randomBytes(3).toString("hex")}`;
  const history: StepRun[] = [];
  const signal = o.signal ?? new AbortController().signal;
  if (o.primeSeconds > 0) {
    o.log(`priming the shop at ${o.search.startRate / 2} journeys/s for ${o.primeSeconds} s (not judged)…`);
    await runLoad({
      profile: stepProfile(o, o.search.startRate / 2, o.primeSeconds),
      profileName: `capacity:${o.profileName}`,
      target: o.target,
      runId: `${base}-prime`,
      dataDir: o.dataDir,
      outDir: join(o.outDir, `${base}-prime`),
      testHooksToken: o.testHooksToken,
      customers: o.customers,
      signal,
      log: o.log,
    });
    await sleep(o.cooldownSeconds * 1000, signal);
  }
  for (;;) {
    const next = nextStep(history, o.search);
    if (next.kind === "done" || signal.aborted) {
      const done =
        next.kind === "done" ? next : { capacity: 0, knee: undefined, confirmed: false, reason: "stopped" };
      o.log(`capacity search done: ${done.reason}`);
      return measurement(o, history, done);
    }
    if (history.length > 0) await sleep(o.cooldownSeconds * 1000, signal);
    o.log(`step ${history.length + 1}: ${next.rate} journeys/s (${next.purpose})…`);
    const step = await runStep(o, next.rate, `${base}-s${history.length + 1}`, signal);
    history.push({ ...step, purpose: next.purpose });
    const why = step.broken
      .map((b) => `${b.expression} was ${b.value}${b.step ? ` on ${b.step}` : ""}`)
      .join("; ");
    o.log(
      `  ${step.ok ? "held" : "broke"}: ${step.journeysPerSecond} journeys/s, ${step.requestsPerSecond} requests/s${why ? ` — ${why}` : ""}`,
    );
  }
}

function measurement(
  o: CapacityOptions,
  history: StepRun[],
  done: { capacity: number; knee: number | undefined; confirmed: boolean },
): CapacityMeasurement {
  const held = history.filter((s) => s.ok && s.rate === done.capacity);
  const kneeStep = done.knee === undefined ? undefined : history.find((s) => !s.ok && s.rate === done.knee);
  const firstBreak = kneeStep?.broken[0];
  const average = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
  const steps: CapacityStep[] = history.map((s) => ({
    runId: s.runId,
    rate: s.rate,
    purpose: s.purpose,
    ok: s.ok,
    journeysPerSecond: s.journeysPerSecond,
    requestsPerSecond: s.requestsPerSecond,
    broken: s.broken.map((b) => ({ ...b, step: b.step ?? null })),
  }));
  return {
    target: o.targetName,
    url: o.target,
    measuredAt: new Date().toISOString(),
    slos: o.slos.map((t) => t.expression),
    profile: o.profileName,
    capacityJourneys: done.capacity,
    capacityRequests: Math.round(average(held.map((s) => s.requestsPerSecond)) * 10) / 10,
    confirmed: done.confirmed,
    knee:
      kneeStep && firstBreak
        ? {
            rate: kneeStep.rate,
            slo: firstBreak.expression,
            step: firstBreak.step ?? null,
            value: firstBreak.value,
          }
        : null,
    plannedPeak: o.plannedPeak,
    plannedFrom: o.plannedFrom,
    saturation: (kneeStep ?? history[history.length - 1])?.saturation ?? [],
    steps,
  };
}

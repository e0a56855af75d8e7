/**
 * `peakwatch capacity --target URL --slo "p95(checkout)<800ms, error_rate<1%"`: flags, files and
 * the hub report around loadgen/plan/capacity.ts (the search itself is pure, in loadgen/plan/knee.ts).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { CapacityMeasurement } from "../core/api/readiness.ts";
import { argsErrorMessage, isArgsError } from "../core/cli-args.ts";
import { DurationSchema, type Profile } from "../core/profile.ts";
import { formatRate, readinessVerdict } from "../core/readiness.ts";
import { type ParsedThreshold, parseThreshold } from "../core/threshold.ts";
import { checkTarget } from "../loadgen/allowlist.ts";
import { loadLoadgenConfig } from "../loadgen/config.ts";
import { measureCapacity } from "../loadgen/plan/capacity.ts";
import { loadProfile } from "../loadgen/profile-loader.ts";

export const CAPACITY_USAGE = `Usage: peakwatch capacity --target URL --slo "p95(checkout)<800ms, error_rate<1%" [options]

Ramps the arrival rate in constant-rate steps (each a load run of its own), finds the knee where an
SLO first fails for a sustained period, narrows it, repeats the last good step to confirm, and
reports the capacity in journeys/s and requests/s, which SLO broke first on which step, and the
shop's saturation signals from its /metrics at the knee. With a planned peak it gives the verdict.

  --target URL          the shop (default PEAKWATCH_SHOP_URL); must be allowlisted
  --slo LIST            comma-separated thresholds (default "p95 < 1s, error_rate < 1%")
  --profile NAME|FILE   journey mix and executor settings the steps run (default baseline)
  --peak N              planned peak in journeys/s, or
  --plan FILE           a profile (from \`profile from-log\`) whose peak is the planned peak
  --name NAME           what the hub keeps this target's history under (default host:port)
  --start-rate N        first step, journeys/s (default 5)
  --max-rate N          highest step (default 500)
  --growth X            ramp factor before the first break (default 2)
  --resolution X        narrow until bad/good ≤ 1 + X (default 0.1)
  --step DURATION       measured length of each step (default 20s)
  --warmup DURATION     discarded start of each step (default 5s)
  --window DURATION     evaluation window (default 5s)
  --sustain N           consecutive failing windows that make a break (default 2)
  --cooldown DURATION   pause between steps so the shop drains the last one's backlog (default 2s)
  --prime DURATION      an unjudged run at half the start rate first, so step 1 does not measure a cold
                        shop (default 10s; 0 for none)
  --max-steps N         (default 12)
  --hub URL --token T   report the runs and the measurement (default PEAKWATCH_HUB_URL, PEAKWATCH_AGENT_TOKEN)
  --out DIR             capacity.json and each step's reports (default PEAKWATCH_DATA_DIR/capacity/<time>)
  --test-hooks-token T  the shop's capture mailbox token, for OTP logins (default SHOP_TEST_HOOKS_TOKEN)

Exit codes: 0 measured (and ready, when a planned peak was given), 1 not ready, 2 usage error.`;

const options = {
  target: { type: "string" },
  slo: { type: "string" },
  profile: { type: "string" },
  peak: { type: "string" },
  plan: { type: "string" },
  name: { type: "string" },
  "start-rate": { type: "string" },
  "max-rate": { type: "string" },
  growth: { type: "string" },
  resolution: { type: "string" },
  step: { type: "string" },
  warmup: { type: "string" },
  window: { type: "string" },
  sustain: { type: "string" },
  "max-steps": { type: "string" },
  cooldown: { type: "string" },
  prime: { type: "string" },
  hub: { type: "string" },
  token: { type: "string" },
  out: { type: "string" },
  "test-hooks-token": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

class UsageError extends Error {}

function number(flag: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!(Number.isFinite(n) && n >= min && n <= max))
    throw new UsageError(`--${flag}: expected a number from ${min} to ${max}, got "${raw}"`);
  return n;
}

function seconds(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const r = DurationSchema.safeParse(/^\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw);
  if (!r.success || !(r.data >= 1 && r.data <= 600))
    throw new UsageError(`--${flag}: expected a duration from 1s to 10m such as "20s", got "${raw}"`);
  return r.data;
}

/** Parses the SLO list; the error names --slo and the bad expression. */
export function parseSlos(raw: string): ParsedThreshold[] {
  const parts = raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (parts.length === 0) throw new UsageError("--slo: give at least one threshold");
  return parts.map((p) => {
    const r = parseThreshold(p);
    if (!r.ok) throw new UsageError(`--slo: "${p}": ${r.error}`);
    return r.threshold;
  });
}

function plannedPeak(
  peak: string | undefined,
  plan: string | undefined,
): { peak: number | null; from: string | null } {
  if (peak !== undefined && plan !== undefined) throw new UsageError("--peak and --plan: give one of them");
  if (peak !== undefined) return { peak: number("peak", peak, 0, 0.001, 10_000_000), from: "--peak" };
  if (plan === undefined) return { peak: null, from: null };
  const loaded = loadProfile(plan);
  if (!loaded.ok) throw new UsageError(`--plan: ${loaded.error}`);
  const p: Profile = loaded.profile;
  const peakRate =
    p.derivedFrom?.peak.rate ?? Math.max(p.startRate ?? 0, ...p.stages.map((s) => s.rate ?? 0));
  if (!(peakRate > 0)) throw new UsageError(`--plan: ${plan} has no arrival rate (a closed-model profile?)`);
  return { peak: peakRate, from: `${plan} (${loaded.profile.name})` };
}

/**
 * How each step is judged; a break needs `sustain` failing windows inside the measured step, so
 * a step shorter than that could never break (every step would "hold").
 */
function judging(measureSeconds: number, windowSeconds: number, sustainWindows: number) {
  if (windowSeconds * sustainWindows > measureSeconds)
    throw new UsageError(
      `--window ${windowSeconds}s × --sustain ${sustainWindows} is longer than --step ${measureSeconds}s: no step could ever break; shorten --window or lengthen --step`,
    );
  return { measureSeconds, windowSeconds, sustainWindows };
}

function report(m: CapacityMeasurement): string[] {
  const verdict = readinessVerdict(m);
  const lines = [
    m.knee
      ? `Capacity of ${m.target}: ${formatRate(m.capacityJourneys)} journeys/s (${m.capacityRequests} requests/s)${m.confirmed ? ", confirmed by a repeated step" : ", not confirmed"}`
      : // Nothing broke: the highest step held is a floor, not the capacity.
        `Capacity of ${m.target}: at least ${formatRate(m.capacityJourneys)} journeys/s (${m.capacityRequests} requests/s): no SLO broke up to the highest step; raise --max-rate (or --max-steps) to find the limit`,
  ];
  if (m.knee)
    lines.push(
      `Knee: at ${formatRate(m.knee.rate)} journeys/s ${m.knee.slo} broke first (${m.knee.value}${m.knee.step ? ` on ${m.knee.step}` : ""})`,
    );
  if (m.saturation.length > 0)
    lines.push(
      `Shop at the knee: ${m.saturation.map((s) => `${s.name} ${s.value}${s.unit ? ` ${s.unit}` : ""}`).join(", ")}`,
    );
  lines.push(verdict.text);
  lines.push("Steps:");
  for (const [i, s] of m.steps.entries())
    lines.push(
      `  ${String(i + 1).padStart(2)}  ${String(s.rate).padStart(7)} journeys/s  ${s.purpose.padEnd(7)}  ${s.ok ? "held " : "broke"}  ${s.requestsPerSecond} requests/s  run ${s.runId}`,
    );
  return lines;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true });
    if (values.help) {
      console.log(CAPACITY_USAGE);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const config = loadLoadgenConfig();
    const target = values.target ?? config.PEAKWATCH_SHOP_URL;
    if (!target) throw new UsageError("--target is required (or set PEAKWATCH_SHOP_URL)");
    const allowed = checkTarget(target, {
      shopUrl: config.PEAKWATCH_SHOP_URL,
      extra: config.PEAKWATCH_ALLOWED_TARGETS,
    });
    if (!allowed.ok) throw new UsageError(allowed.error);
    const loaded = loadProfile(values.profile ?? "baseline");
    if (!loaded.ok) throw new UsageError(`--profile: ${loaded.error}`);
    if (loaded.profile.stages[0]?.rate === undefined)
      throw new UsageError("--profile: capacity needs an open-model (rate) profile");
    const hubUrl = values.hub ?? config.PEAKWATCH_HUB_URL;
    const token = values.token ?? config.PEAKWATCH_AGENT_TOKEN;
    if (values.hub && !token)
      throw new UsageError("--token is required with --hub (or set PEAKWATCH_AGENT_TOKEN)");
    const name = values.name ?? allowed.url.host;
    if (!/^[A-Za-z0-9_.:@/-]{1,200}$/.test(name))
      throw new UsageError("--name: use 1-200 letters, digits and _ . : @ / -");
    const planned = plannedPeak(values.peak, values.plan);
    const startRate = number("start-rate", values["start-rate"], 5, 0.01, 1_000_000);
    const stamp = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
    const outDir = values.out ?? join(config.PEAKWATCH_DATA_DIR, "capacity", stamp);
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    const m = await measureCapacity({
      profile: loaded.profile,
      profileName: values.profile ?? "baseline",
      target: allowed.url.origin,
      targetName: name,
      slos: parseSlos(values.slo ?? "p95 < 1s, error_rate < 1%"),
      search: {
        startRate,
        maxRate: number("max-rate", values["max-rate"], 500, startRate, 1_000_000),
        growth: number("growth", values.growth, 2, 1.1, 10),
        resolution: number("resolution", values.resolution, 0.1, 0.01, 1),
        maxSteps: number("max-steps", values["max-steps"], 12, 2, 50),
      },
      warmupSeconds: seconds("warmup", values.warmup, 5),
      ...judging(
        seconds("step", values.step, 20),
        seconds("window", values.window, 5),
        number("sustain", values.sustain, 2, 1, 100),
      ),
      cooldownSeconds: values.cooldown === undefined ? 2 : seconds("cooldown", values.cooldown, 2),
      primeSeconds: values.prime === "0" ? 0 : seconds("prime", values.prime, 10),
      plannedPeak: planned.peak,
      plannedFrom: planned.from,
      hub: hubUrl && token ? { url: hubUrl, token } : undefined,
      dataDir: config.PEAKWATCH_DATA_DIR,
      outDir,
      testHooksToken: values["test-hooks-token"] ?? config.SHOP_TEST_HOOKS_TOKEN,
      customers: config.SHOP_SEED_CUSTOMERS,
      log: (line) => console.error(line),
      signal: controller.signal,
    });
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, "capacity.json"), `${JSON.stringify(m, null, 2)}\n`);
    for (const line of report(m)) console.log(line);
    console.log(`capacity.json: ${join(outDir, "capacity.json")}`);
    if (hubUrl && token) {
      const r = await fetch(new URL("/api/v1/readiness/measurements", hubUrl), {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(m),
        signal: AbortSignal.timeout(10_000),
      }).catch((error: Error) => error);
      if (r instanceof Error || !r.ok)
        console.error(
          `hub: the measurement was not stored (${r instanceof Error ? r.message : `HTTP ${r.status} ${await r.text()}`}); capacity.json keeps it`,
        );
      else console.log(`hub: stored; the readiness card is at ${new URL("/#/summary", hubUrl)}`);
    }
    return readinessVerdict(m).ready === false ? 1 : 0;
  } catch (error) {
    if (error instanceof UsageError || isArgsError(error)) {
      console.error(`peakwatch capacity: ${argsErrorMessage(error)}\n\n${CAPACITY_USAGE}`);
      return 2;
    }
    throw error;
  }
}

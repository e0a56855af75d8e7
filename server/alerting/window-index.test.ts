import { describe, expect, it } from "vitest";
import { encodeHistogram, newHistogram, recordMicros } from "../../core/histogram.ts";
import { type Rule, RuleSpecSchema, windowStats } from "../../core/rule.ts";
import { seededRandom } from "../../core/seeded-random.ts";
import type { AlertData, WindowSample } from "./data.ts";
import { evaluateRule, type RuleEvaluation, type TrackedAlert } from "./evaluate.ts";
import { WindowIndex } from "./window-index.ts";

const STEPS = ["checkout", "search"];
const RUNS = ["run-a", "run-b", "run-c"];
const WORKERS = ["w1", "w0", "w2"];
const SPANS = [3, 10, 30];

function rules(): Rule[] {
  const out: Rule[] = [];
  let n = 0;
  const add = (spec: unknown) =>
    out.push({ ...RuleSpecSchema.parse(spec), id: `r${n++}`, builtin: false, createdAt: 0, updatedAt: 0 });
  for (const stat of windowStats) {
    for (const windowSeconds of SPANS) {
      for (const step of STEPS) {
        add({
          kind: "threshold",
          name: `R${n}`,
          query: { source: "windows", stat, step, windowSeconds, minCount: n % 3 === 0 ? 50 : 1 },
          comparator: n % 2 === 0 ? ">" : "<",
          threshold: stat.startsWith("p") ? 150 : stat === "achieved_ratio" ? 0.95 : 0.05,
          forSeconds: n % 3,
          keepFiringForSeconds: n % 2,
        });
      }
    }
  }
  add({
    kind: "burn_rate",
    name: "Burn",
    step: "checkout",
    objective: 0.9,
    windows: [{ longSeconds: 30, shortSeconds: 3, factor: 1 }],
  });
  return out;
}

/** Replays random traffic second by second and evaluates every rule both ways at each pass. */
function replay(seed: number, passes: number) {
  const random = seededRandom(seed);
  const pick = <T>(items: ReadonlyArray<T>) => items[Math.floor(random() * items.length)]!;
  const pool = Array.from({ length: 24 }, () => {
    const h = newHistogram();
    const n = 1 + Math.floor(random() * 60);
    for (let i = 0; i < n; i++) recordMicros(h, 1 + random() * 400_000);
    return { encoded: encodeHistogram(h), count: h.totalCount };
  });
  const window = (runId: string, step: string, worker: string, second: number): WindowSample => {
    const latency = random() < 0.15 ? undefined : pick(pool);
    const count = latency?.count ?? Math.floor(random() * 20);
    return {
      runId,
      target: random() < 0.05 ? "" : `http://127.0.0.1:41${RUNS.indexOf(runId)}0`,
      step,
      worker,
      second,
      count,
      errorCount: Math.floor(random() * (count + 1) * 0.3),
      // Rates that do not sum exactly in floating point: the order of addition shows.
      targetRate: random() * 100,
      achievedRate: random() * 100,
      dropped: random() < 0.1 ? Math.floor(random() * 5) : 0,
      ...(latency ? { latency: latency.encoded } : {}),
    };
  };
  const horizon = Math.max(...SPANS);
  const table = new Map<string, WindowSample>();
  const index = new WindowIndex();
  const key = (w: WindowSample) => `${w.runId}|${w.step}|${w.worker}|${w.second}`;
  const put = (w: WindowSample) => {
    table.set(key(w), w);
    index.upsert(w);
  };
  const all = rules();
  const previous = { full: new Map<string, TrackedAlert>(), incremental: new Map<string, TrackedAlert>() };
  let now = 1_700_000_000_000;
  let compared = 0;
  for (let pass = 0; pass < passes; pass++) {
    // Mostly a second a pass; sometimes none, sometimes a jump (a slow evaluation).
    now += pick([1000, 1000, 1000, 1000, 0, 1500, 4000, 45_000]);
    const second = Math.floor(now / 1000);
    for (const runId of RUNS) {
      if (random() < 0.1) continue;
      for (const step of STEPS) {
        for (const worker of WORKERS) {
          // Late workers: a window lands up to 3 s behind, sometimes not at all.
          if (random() < 0.85) put(window(runId, step, worker, second - 1 - Math.floor(random() * 3)));
        }
      }
    }
    // Replays with new content and deletions anywhere in the span.
    for (let i = 0; i < 6; i++) {
      const w = window(pick(RUNS), pick(STEPS), pick(WORKERS), second - 1 - Math.floor(random() * horizon));
      if (random() < 0.3) {
        table.delete(key(w));
        index.remove(w);
      } else put(w);
    }
    for (const [k, w] of table) if (w.second < second - horizon) table.delete(k);
    index.evictBefore(second - horizon);

    const windows = [...table.values()];
    // A fresh full data object each pass (no memo carried over), and the indexed one.
    const full: AlertData = { windows, probes: [], metrics: [] };
    const incremental: AlertData = { windows, probes: [], metrics: [], windowIndex: index };
    const next = { full: new Map<string, TrackedAlert>(), incremental: new Map<string, TrackedAlert>() };
    for (const rule of all) {
      const a: RuleEvaluation = evaluateRule(rule, full, previous.full, now);
      const b: RuleEvaluation = evaluateRule(rule, incremental, previous.incremental, now);
      expect(b, `rule ${rule.name} at pass ${pass}`).toEqual(a);
      for (const alert of a.alerts) next.full.set(alert.fingerprint, alert);
      for (const alert of b.alerts) next.incremental.set(alert.fingerprint, alert);
      compared += a.measured.length;
    }
    previous.full = next.full;
    previous.incremental = next.incremental;
  }
  return { compared };
}

describe("incremental window evaluation", () => {
  it("equals the full evaluation on random traffic with late, replayed and deleted windows", () => {
    for (const seed of [1, 2]) {
      const { compared } = replay(seed, 45);
      // Every pass measured something: the comparison is not vacuous.
      expect(compared).toBeGreaterThan(45 * 20);
    }
  });

  it("keeps its merged histograms within the byte budget and still answers exactly", () => {
    const random = seededRandom(9);
    const h = newHistogram();
    for (let i = 0; i < 100; i++) recordMicros(h, 1 + random() * 1e6);
    const encoded = encodeHistogram(h);
    const index = new WindowIndex(300 * 1024);
    for (let r = 0; r < 10; r++) {
      for (let s = 0; s < 20; s++) {
        index.upsert({
          runId: `run-${r}`,
          target: "",
          step: "checkout",
          worker: "w0",
          second: s,
          count: h.totalCount,
          errorCount: 0,
          targetRate: 0,
          achievedRate: 0,
          dropped: 0,
          latency: encoded,
        });
      }
    }
    for (let r = 0; r < 10; r++) {
      const merged = index.latency(`run-${r}`, "checkout", 0, 20);
      expect(merged.totalCount).toBe(20 * h.totalCount);
      expect(index.histogramBytes).toBeLessThanOrEqual(300 * 1024);
    }
  });
});

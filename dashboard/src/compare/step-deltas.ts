import { type BootstrapOptions, bootstrapDelta, type NoiseTest, type WindowSample } from "./bootstrap.ts";

export const deltaMetrics = ["p50", "p95", "p99", "errorRate", "throughput"] as const;
export type DeltaMetric = (typeof deltaMetrics)[number];

/** Which way is an improvement: latency and errors down, throughput up. */
export const higherIsBetter: Record<DeltaMetric, boolean> = {
  p50: false,
  p95: false,
  p99: false,
  errorRate: false,
  throughput: true,
};

/** One figure of one step in both runs: whole-run values and the per-second windows behind them. */
export interface MetricPair {
  a: number | null;
  b: number | null;
  windowsA: ReadonlyArray<WindowSample>;
  windowsB: ReadonlyArray<WindowSample>;
}

export interface DeltaCell {
  a: number | null;
  b: number | null;
  /** b − a, in the metric's unit. */
  delta: number | null;
  /** (b − a) / a; null when a is 0 or missing. */
  relative: number | null;
  /** Which way B moved, for colouring; "same" when it did not move. */
  direction: "better" | "worse" | "same" | "unknown";
  /** The bootstrap over per-second windows; undefined with too few windows. */
  noise: NoiseTest | undefined;
}

/**
 * Compares one figure of one step between run A and run B: the change of the whole-run value,
 * which way that is for this figure, and whether the per-second windows say it is larger than
 * run-to-run noise. Pure and seeded, so the same runs always give the same verdict.
 */
export function deltaCell(metric: DeltaMetric, pair: MetricPair, options: BootstrapOptions = {}): DeltaCell {
  const { a, b } = pair;
  const noise = bootstrapDelta(pair.windowsA, pair.windowsB, options);
  if (a === null || b === null) return { a, b, delta: null, relative: null, direction: "unknown", noise };
  const delta = b - a;
  const relative = a !== 0 ? delta / a : null;
  const direction = delta === 0 ? "same" : delta > 0 === higherIsBetter[metric] ? "better" : "worse";
  return { a, b, delta, relative, direction, noise };
}

/** Per-second points `[second, value]` of two figures of a step, joined into weighted windows. */
export function windowsOf(
  values: ReadonlyArray<[number, number | null]>,
  weights: ReadonlyArray<[number, number | null]>,
): WindowSample[] {
  const weightAt = new Map(weights.map(([s, w]) => [s, w ?? 0]));
  return values.flatMap(([second, value]) => {
    const weight = weightAt.get(second) ?? 0;
    return value === null || weight <= 0 ? [] : [{ value, weight }];
  });
}

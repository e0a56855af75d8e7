import type { LiveStep } from "../../../core/live.ts";

/** One second of one step, in the units the charts show (ms, per second, ratio); null is a gap. */
export interface StepFigures {
  /** Successful requests' latency, ms. */
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** Requests (or journeys, for the journey step) completed per second. */
  rate: number | null;
  /** Failed requests per second. */
  errors: number | null;
  /** Failed share of `rate`, 0..1. */
  errorRate: number | null;
  target: number | null;
  achieved: number | null;
  dropped: number | null;
}

/**
 * The series key of every request step merged (the live message's `requests`, the REST series
 * without a step). Not a valid step name (it has a space), so it never collides with one.
 */
export const ALL_REQUESTS = "all requests";

export const figureKeys = [
  "p50",
  "p95",
  "p99",
  "rate",
  "errors",
  "errorRate",
  "target",
  "achieved",
  "dropped",
] as const;
export type FigureKey = (typeof figureKeys)[number];

/**
 * One step's figures from a live window message (core/live.ts LiveStep, the hub's contract).
 * A step with no successful request has no latency that second: a gap, never a zero; one with no
 * request at all has no failed share either (the hub sends 0 for 0 of 0).
 */
export function readStepFigures(step: LiveStep): StepFigures {
  const succeeded = step.count - step.errors > 0;
  return {
    p50: succeeded ? step.p50 : null,
    p95: succeeded ? step.p95 : null,
    p99: succeeded ? step.p99 : null,
    rate: step.count,
    errors: step.errors,
    errorRate: step.count > 0 ? step.errorRate : null,
    target: step.targetRate,
    achieved: step.achievedRate,
    dropped: step.dropped,
  };
}

/**
 * Whether no request of a second succeeded, judged by whichever figures are known (latency of an
 * empty histogram, count and failures, or the failed share): then it has no latency, and the
 * hub's 0 for an empty histogram must not read as "fast".
 */
export function noneSucceeded(f: Partial<StepFigures>): boolean {
  // The hub gives 0 ms for an empty histogram; a measured percentile is at least 1 µs. This holds
  // where the counts alone do not tell (seen: a run's first second counted more journeys than
  // failures with none completed).
  const latencies = [f.p50, f.p95, f.p99].filter((v) => v !== undefined && v !== null);
  if (latencies.length > 0 && latencies.every((v) => v === 0)) return true;
  if (f.rate === 0) return true;
  if (f.rate !== null && f.rate !== undefined && f.errors !== null && f.errors !== undefined)
    return f.rate - f.errors <= 0;
  return f.errorRate !== null && f.errorRate !== undefined && f.errorRate >= 1;
}

/** A latency figure of a second (of successful requests), or null when none succeeded. */
export function successLatency(f: StepFigures | undefined, key: "p50" | "p95" | "p99"): number | null {
  if (!f || noneSucceeded(f)) return null;
  return f[key];
}

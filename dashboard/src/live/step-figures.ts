/** One second of one step, in the units the charts show (ms, per second, ratio). */
export interface StepFigures {
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** Requests (or journeys, for the journey step) completed per second. */
  rate: number | null;
  /** Failed share of `rate`, 0..1. */
  errorRate: number | null;
  target: number | null;
  achieved: number | null;
  dropped: number | null;
}

export const figureKeys = [
  "p50",
  "p95",
  "p99",
  "rate",
  "errorRate",
  "target",
  "achieved",
  "dropped",
] as const;
export type FigureKey = (typeof figureKeys)[number];

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

function errorCount(errors: unknown): number | null {
  if (typeof errors === "number") return errors;
  if (errors && typeof errors === "object") {
    return Object.values(errors).reduce<number>((s, v) => s + (typeof v === "number" ? v : 0), 0);
  }
  return null;
}

/**
 * Reads one step's figures from a live window message. Accepts both a flat shape
 * (`{p95, count, errorRate, targetRate}`) and a WindowSummary (`{latency: {p95}, errors: {...}}`),
 * so the charts survive either; a missing figure is a gap, never a zero.
 */
export function readStepFigures(raw: unknown): StepFigures {
  const r = (raw ?? {}) as Record<string, unknown>;
  const latency = (r.latency ?? {}) as Record<string, unknown>;
  const count = num(r.count) ?? num(r.rate);
  const errors = errorCount(r.errors);
  const errorRate =
    num(r.errorRate) ?? (count !== null && errors !== null ? (count > 0 ? errors / count : 0) : null);
  return {
    p50: num(r.p50) ?? num(latency.p50),
    p95: num(r.p95) ?? num(latency.p95),
    p99: num(r.p99) ?? num(latency.p99),
    rate: count,
    errorRate,
    target: num(r.targetRate) ?? num(r.target),
    achieved: num(r.achievedRate) ?? num(r.achieved),
    dropped: num(r.dropped),
  };
}

import { type LatencySummary, newHistogram, recordMicros, summarize } from "../core/histogram.ts";

/**
 * The generator's own lateness: how long after its scheduled instant an arrival was actually
 * started, when nothing but the generator (timer granularity, its busy event loop, GC) held it
 * back. Kept apart from request latency, so it is never charged to the target. Arrivals that
 * waited for a free virtual user are not in it: that wait is the target's doing and stays in
 * their latency.
 */
export class SchedulingLag {
  private readonly histogram = newHistogram();

  /** One arrival started `lateMs` after its scheduled instant (negative or 0: on time). */
  record(lateMs: number): void {
    recordMicros(this.histogram, lateMs * 1000);
  }

  /** In milliseconds; on-time arrivals count as 1 µs. */
  summary(): LatencySummary {
    return summarize(this.histogram);
  }
}

/**
 * The line the run prints about its scheduling lag: every figure at the same precision, and no
 * percentile above the max (a histogram bucket's upper edge may pass the largest value recorded).
 */
export function schedulingLagLine(lag: Pick<LatencySummary, "p50" | "p99" | "max">): string {
  const ms = (v: number) => `${Math.min(v, lag.max).toFixed(2)} ms`;
  return `generator scheduling lag (not in latencies): p50 ${ms(lag.p50)}, p99 ${ms(lag.p99)}, max ${ms(lag.max)}`;
}

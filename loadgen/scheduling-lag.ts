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

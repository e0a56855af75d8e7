/**
 * Arrival schedules for the open model: a piecewise-linear rate curve (arrivals per second)
 * and the exact time of every arrival on it. Pure math, no clock: times are seconds from the
 * start of the run.
 */

/** One straight piece of the curve: the rate moves linearly from `from` to `to` over `duration` s. */
export interface RateSegment {
  duration: number;
  from: number;
  to: number;
}

interface PlacedSegment extends RateSegment {
  /** Start of the segment, seconds from the run start. */
  start: number;
  /** Arrivals scheduled before the segment starts. */
  before: number;
}

/**
 * A rate curve with linear ramps interpolated inside each segment (not per-second steps).
 * Arrival k (k = 0, 1, …) is scheduled at the time t where the integral of the rate from 0 to t
 * equals k, so arrivals are spread evenly along the curve.
 */
export class RateSchedule {
  readonly totalSeconds: number;
  readonly totalArrivals: number;
  private readonly segments: PlacedSegment[];

  constructor(segments: ReadonlyArray<RateSegment>) {
    let start = 0;
    let before = 0;
    this.segments = [];
    for (const s of segments) {
      if (!(s.duration > 0) || s.from < 0 || s.to < 0) {
        throw new RangeError("segments need a positive duration and non-negative rates");
      }
      this.segments.push({ ...s, start, before });
      start += s.duration;
      before += ((s.from + s.to) / 2) * s.duration;
    }
    this.totalSeconds = start;
    // Arrivals are numbered from 0 at the time the integral reaches k; one landing exactly on
    // the end belongs to the next run, hence the ceil.
    this.totalArrivals = Math.ceil(before - 1e-9);
  }

  /** The target rate (arrivals per second) at time t. */
  rateAt(t: number): number {
    const s = this.segmentAt(t);
    if (!s) return 0;
    return s.from + ((s.to - s.from) * (t - s.start)) / s.duration;
  }

  /** The number of arrivals the curve asks for between 0 and t (fractional). */
  cumulative(t: number): number {
    if (t <= 0) return 0;
    if (t >= this.totalSeconds) return this.endCumulative();
    const s = this.segmentAt(t)!;
    const tau = t - s.start;
    return s.before + s.from * tau + ((s.to - s.from) / (2 * s.duration)) * tau * tau;
  }

  /** Target arrivals in [t0, t1), clipped to the schedule. */
  arrivalsBetween(t0: number, t1: number): number {
    return Math.max(0, this.cumulative(t1) - this.cumulative(t0));
  }

  /** The scheduled time of arrival k, or undefined past the end of the schedule. */
  arrivalTime(k: number): number | undefined {
    if (k < 0 || k >= this.totalArrivals) return undefined;
    const s = this.segmentWithArrival(k);
    if (!s) return undefined;
    const c = k - s.before;
    const a = s.from;
    const b = (s.to - s.from) / (2 * s.duration);
    // Root of b·τ² + a·τ − c = 0 in the form that stays accurate when b ≈ 0 or a ≈ 0.
    const root = Math.sqrt(Math.max(0, a * a + 4 * b * c));
    const tau = a + root === 0 ? 0 : (2 * c) / (a + root);
    return s.start + Math.min(s.duration, Math.max(0, tau));
  }

  private endCumulative(): number {
    const last = this.segments[this.segments.length - 1];
    return last ? last.before + ((last.from + last.to) / 2) * last.duration : 0;
  }

  private segmentAt(t: number): PlacedSegment | undefined {
    for (const s of this.segments) if (t >= s.start && t < s.start + s.duration) return s;
    return undefined;
  }

  private segmentWithArrival(k: number): PlacedSegment | undefined {
    for (const s of this.segments) {
      const after = s.before + ((s.from + s.to) / 2) * s.duration;
      if (k < after && s.from + s.to > 0) return s;
    }
    return undefined;
  }
}

/**
 * Walks the arrivals of a schedule in order without rescanning: `next()` gives the scheduled
 * time of the next arrival (seconds) or undefined when the schedule is exhausted.
 */
export function arrivalCursor(schedule: RateSchedule): {
  next(): number | undefined;
  readonly index: number;
} {
  let k = 0;
  return {
    next() {
      const t = schedule.arrivalTime(k);
      if (t !== undefined) k++;
      return t;
    },
    get index() {
      return k;
    },
  };
}

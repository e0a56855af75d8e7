import { z } from "zod";
import type { RateSchedule } from "./rate.ts";

/**
 * One worker's share of a run split over `count` processes (k6's execution segments, in
 * their interleaved form): worker `index` sends arrivals index, index + count, index + 2·count…
 * of the one schedule, so the union of all workers is exactly the schedule of one process, with
 * no per-worker rounding of rate/N.
 */
export const ExecutionSegmentSchema = z
  .object({
    index: z.number().int().nonnegative(),
    count: z.number().int().min(1).max(1000),
  })
  .refine((s) => s.index < s.count, { message: "index must be below count", path: ["index"] });
export type ExecutionSegment = z.infer<typeof ExecutionSegmentSchema>;

/** The whole run: one process sends every arrival. */
export const WHOLE_RUN: ExecutionSegment = { index: 0, count: 1 };

/** What an open-model executor reads from an arrival schedule (seconds from the run start). */
export interface ArrivalSchedule {
  readonly totalSeconds: number;
  readonly totalArrivals: number;
  /** Target arrivals per second at time t. */
  rateAt(t: number): number;
  /** Target arrivals in [t0, t1). */
  arrivalsBetween(t0: number, t1: number): number;
  /** Time of arrival k (k = 0, 1, …), undefined past the end. */
  arrivalTime(k: number): number | undefined;
}

/** Arrivals of the whole schedule scheduled strictly before t (a whole number). */
function wholeBefore(schedule: RateSchedule, t: number): number {
  return Math.min(schedule.totalArrivals, Math.max(0, Math.ceil(schedule.cumulative(t) - 1e-9)));
}

/** Arrivals of `segment` scheduled strictly before t. */
export function segmentArrivalsBefore(schedule: RateSchedule, segment: ExecutionSegment, t: number): number {
  const whole = wholeBefore(schedule, t);
  return Math.max(0, Math.ceil((whole - segment.index) / segment.count));
}

/**
 * The slice of `schedule` that one worker sends. Its per-second targets are whole arrivals of
 * its own slice, so the workers' targets add up to the arrivals of the whole schedule.
 */
export function segmentOf(schedule: RateSchedule, segment: ExecutionSegment = WHOLE_RUN): ArrivalSchedule {
  if (segment.count === 1) return schedule;
  const { index, count } = segment;
  return {
    totalSeconds: schedule.totalSeconds,
    totalArrivals: segmentArrivalsBefore(schedule, segment, Number.POSITIVE_INFINITY),
    rateAt: (t) => schedule.rateAt(t) / count,
    arrivalsBetween: (t0, t1) =>
      segmentArrivalsBefore(schedule, segment, t1) - segmentArrivalsBefore(schedule, segment, t0),
    arrivalTime: (k) => (k < 0 ? undefined : schedule.arrivalTime(index + k * count)),
  };
}

import { z } from "zod";
import { type ExecutionSegment, segmentArrivalsBefore } from "./execution-segment.ts";
import type { RateSchedule } from "./rate.ts";

/**
 * A worker of a split run that stopped before its share was done (it died, or stopped
 * reporting). The run then ends "degraded": the other workers' data is complete, and this
 * says how much of the schedule was never sent, instead of a silently lower rate. Reported by
 * whoever supervises the workers (the local coordinator, or the hub from heartbeats).
 */
export const WorkerLossSchema = z.object({
  /** The worker's name in its windows, e.g. "w2". */
  worker: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9_.:-]+$/),
  /** Its execution segment: worker `index` of `workers` (0-based). */
  index: z.number().int().nonnegative(),
  workers: z.number().int().min(1).max(1000),
  /** Seconds after the run's start up to which its data arrived (its last sign of life). */
  stoppedAfterSeconds: z.number().nonnegative(),
  /** Arrivals of its segment scheduled from then on (open model); null for the closed model. */
  missingArrivals: z.number().int().nonnegative().nullable(),
  /** Arrivals of the whole run (all workers); null for the closed model. */
  plannedArrivals: z.number().int().nonnegative().nullable(),
  /** Share of the whole run's schedule not sent because of it, 0..1. */
  missingShare: z.number().min(0).max(1),
  /** Why, in words: "exited on SIGKILL", "exit code 3", "no heartbeat for 15 s". */
  reason: z.string().min(1).max(300),
});
export type WorkerLoss = z.infer<typeof WorkerLossSchema>;

/** The loss when worker `segment` stopped `stoppedAfterSeconds` into a run. Pure. */
export function workerLoss(
  run: { worker: string; segment: ExecutionSegment; reason: string; stoppedAfterSeconds: number },
  plan: { schedule: RateSchedule } | { plannedSeconds: number },
): WorkerLoss {
  const { segment } = run;
  const at = Math.max(0, run.stoppedAfterSeconds);
  const base = {
    worker: run.worker,
    index: segment.index,
    workers: segment.count,
    stoppedAfterSeconds: Math.round(at * 10) / 10,
    reason: run.reason,
  };
  if ("schedule" in plan) {
    const { schedule } = plan;
    const all = segmentArrivalsBefore(schedule, segment, Number.POSITIVE_INFINITY);
    const missing = all - segmentArrivalsBefore(schedule, segment, at);
    const planned = schedule.totalArrivals;
    return {
      ...base,
      missingArrivals: missing,
      plannedArrivals: planned,
      missingShare: planned === 0 ? 0 : missing / planned,
    };
  }
  // Closed model: its connections were 1/N of the run's for the time left.
  const left = plan.plannedSeconds === 0 ? 0 : Math.max(0, 1 - at / plan.plannedSeconds);
  return { ...base, missingArrivals: null, plannedArrivals: null, missingShare: left / segment.count };
}

/** "worker w2 (index 2 of 3) stopped at 14 s (exited on SIGKILL): 18 % of arrivals not sent or not reported (320 of 1800)". */
export function describeWorkerLoss(l: WorkerLoss): string {
  const share = `${(l.missingShare * 100).toFixed(l.missingShare < 0.1 ? 1 : 0)} %`;
  const what =
    l.missingArrivals === null
      ? `${share} of the run's load not generated`
      : `${share} of arrivals not sent or not reported (${l.missingArrivals} of ${l.plannedArrivals})`;
  return `worker ${l.worker} (index ${l.index} of ${l.workers}) stopped at ${l.stoppedAfterSeconds} s (${l.reason}): ${what}`;
}

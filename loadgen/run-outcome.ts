import type { RunStatus, StoppedBy, ThresholdResult } from "../core/run.ts";
import { stoppedEarlyText } from "../core/threshold.ts";
import type { RunSummary } from "./outputs/summary.ts";

/** How a run ended, as one generator or the coordinator of a split run saw it. */
export interface RunEnd {
  /** The run (or one of its workers) failed inside: an error, not a verdict on the shop. */
  error: boolean;
  /** A signal or an abort threshold that stopped the run before its end. */
  abortedBy: RunSummary["abortedBy"];
  /** Workers of a split run that stopped before their share was done. */
  lostWorkers: number;
  /** A breakpoint profile: it is meant to break, and its result is the capacity found. */
  breakpoint: boolean;
  /** Highest arrival rate (journeys/s) at which every abort threshold held (ThresholdWatch). */
  highestRateHeld: number;
  /** Every threshold over the whole run. */
  thresholds: ReadonlyArray<ThresholdResult>;
}

/** A run's status, what its verdict line adds to the figures, and what the report carries besides. */
export interface RunJudgement {
  status: RunStatus;
  /** Words after the verdict's figures: the capacity found, or what stopped the run early. */
  extra: string[];
  breakpoint?: { highestRateHeld: number };
  /** The abort threshold that stopped a run that is not a breakpoint run. */
  stoppedBy?: StoppedBy;
}

/**
 * Judges a finished run: error, then aborted (a signal), then degraded (a lost worker), then a
 * breakpoint run's capacity (passed: it is meant to break), then failed (an abort threshold
 * stopped it, or a threshold failed over the whole run), else passed. Pure.
 */
export function judgeRun(end: RunEnd): RunJudgement {
  const byThreshold = end.abortedBy !== undefined && "expression" in end.abortedBy;
  const stop = byThreshold ? (end.abortedBy as StoppedBy) : undefined;
  if (end.error) return { status: "error", extra: [] };
  if (end.abortedBy && !byThreshold) return { status: "aborted", extra: [] };
  if (end.lostWorkers > 0) return { status: "degraded", extra: stop ? [stoppedEarlyText(stop)] : [] };
  if (end.breakpoint) {
    const breakpoint = { highestRateHeld: Math.round(end.highestRateHeld * 10) / 10 };
    const extra = stop
      ? `capacity ${breakpoint.highestRateHeld} journeys/s (broke on ${stop.expression})`
      : `held the whole ramp, capacity ≥ ${breakpoint.highestRateHeld} journeys/s`;
    return { status: "passed", extra: [extra], breakpoint };
  }
  if (stop) return { status: "failed", extra: [stoppedEarlyText(stop)], stoppedBy: stop };
  return { status: end.thresholds.some((t) => !t.ok) ? "failed" : "passed", extra: [] };
}

import { type RunStatus, runExitCodes } from "../../core/run.ts";

/** How a run ends (every status but the two of a run in progress). */
export type RunEnding = Exclude<RunStatus, "starting" | "running">;

/** A worker's ending as the hub saw it. */
export interface WorkerEnding {
  state: string;
  exitCode: number | null;
}

/**
 * Why a coordinated run was stopped before its end: someone asked (`requested`), or an abort
 * threshold stopped one worker and the hub stopped the others (`threshold`).
 */
export type StopCause = "requested" | "threshold";

/**
 * The status of a coordinated run whose workers have all ended: aborted when someone asked it
 * to stop, degraded when some (not all) workers were lost before their share was done, error
 * when every worker was lost (a lone generator that crashed included), failed when a worker's
 * thresholds failed (exit code 1) or an abort threshold stopped the run, error when one could not
 * run (any other code, but the 130 of the workers the hub stopped on a threshold), else passed. Pure.
 */
export function coordinatedOutcome(workers: ReadonlyArray<WorkerEnding>, stop?: StopCause): RunEnding {
  if (stop === "requested") return "aborted";
  const lost = workers.filter((w) => w.state === "lost").length;
  // Degraded means the other workers' data stands; with none left (a lone generator that
  // crashed, or every worker lost) the run failed to run.
  if (lost > 0) return lost < workers.length ? "degraded" : "error";
  const fine = new Set<number | null>([null, runExitCodes.passed, runExitCodes.failed]);
  if (stop === "threshold") fine.add(runExitCodes.aborted);
  if (workers.some((w) => !fine.has(w.exitCode))) return "error";
  if (stop === "threshold" || workers.some((w) => w.exitCode === runExitCodes.failed)) return "failed";
  return "passed";
}

/** Whether every worker has ended (exited on its own or lost). */
export function allEnded(workers: ReadonlyArray<WorkerEnding>): boolean {
  return workers.length > 0 && workers.every((w) => w.state === "exited" || w.state === "lost");
}

/** How a child process ended, in words ("exit code 3", "exited on SIGKILL"). */
export function exitReason(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `exited on ${signal}` : `exit code ${code ?? "unknown"}`;
}

/** A run as the hub starts it: what every worker's command line carries. */
export interface RunCommand {
  runId: string;
  profile: string;
  target: string;
  rateScale?: number;
  durationScale?: number;
  /** Workers that split the schedule; 1 (or absent) runs it whole. */
  workers?: number;
  /** Unix epoch milliseconds of the workers' common start. */
  startAt?: number;
}

/**
 * The `peakwatch run …` arguments of worker `index` of a run (a number, or the Indexed Job's
 * `$(JOB_COMPLETION_INDEX)`). A split run adds `--workers N --worker-index I --start-at T`.
 */
export function runArgs(run: RunCommand, index: number | string = 0): string[] {
  const workers = run.workers ?? 1;
  const split = workers > 1 || typeof index === "string";
  return [
    "run",
    run.profile,
    "--target",
    run.target,
    "--run-id",
    run.runId,
    "--quiet",
    ...(run.rateScale !== undefined ? ["--rate-scale", String(run.rateScale)] : []),
    ...(run.durationScale !== undefined ? ["--duration-scale", String(run.durationScale)] : []),
    ...(split ? ["--workers", String(workers), "--worker-index", String(index)] : []),
    ...(split && run.startAt !== undefined ? ["--start-at", new Date(run.startAt).toISOString()] : []),
  ];
}

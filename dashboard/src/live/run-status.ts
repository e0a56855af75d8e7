/** The states a run ends in; any other (starting, running) means it still goes on. */
export const FINISHED: ReadonlySet<string> = new Set(["passed", "failed", "aborted", "error", "degraded"]);

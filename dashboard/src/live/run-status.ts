import { runStatuses } from "../../../core/run.ts";

/** The states a run ends in: every run status but starting and running, which mean it goes on. */
export const FINISHED: ReadonlySet<string> = new Set(
  runStatuses.filter((s) => s !== "starting" && s !== "running"),
);

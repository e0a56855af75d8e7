import type { RunView } from "../../core/api/runs.ts";
import type { RunReport, StoppedBy } from "../../core/run.ts";
import type { RunRow } from "../../db/schema/hub.ts";

/** A runs row as the API shows it. */
export function rowToRunView(r: RunRow): RunView {
  return {
    runId: r.runId,
    profile: r.profile,
    target: r.target,
    status: r.status as RunView["status"],
    startedAt: r.startedAt,
    ...(r.endedAt !== null ? { endedAt: r.endedAt } : {}),
    ...(r.plannedSeconds !== null ? { plannedSeconds: r.plannedSeconds } : {}),
    workers: r.workers,
    workerLosses: r.workerLosses as RunReport["workerLosses"],
    thresholds: r.thresholds as RunReport["thresholds"],
    faults: r.faults as RunReport["faults"],
    ...(r.verdict !== null ? { verdict: r.verdict } : {}),
    ...(r.stoppedBy !== null ? { stoppedBy: r.stoppedBy as StoppedBy } : {}),
    startedBy: r.startedBy,
    updatedAt: r.updatedAt.getTime(),
  };
}

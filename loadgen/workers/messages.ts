import type { FaultMarker, RunStatus } from "../../core/run.ts";
import type { Window } from "../../core/window.ts";

/**
 * What a local worker tells its coordinator over the IPC channel, in order: `ready` once its
 * connections are warm, `started` at the common start instant, `windows` as seconds close,
 * `done` with its outcome. A worker that exits without `done` stopped early.
 */
export type WorkerMessage =
  | { type: "ready" }
  | { type: "started"; startMs: number; wokeMs: number }
  | { type: "windows"; windows: Window[] }
  | {
      type: "done";
      status: RunStatus;
      requests: number;
      faults: FaultMarker[];
      hub?: { sent: number; pending: number; discarded: number };
    };

/** What the coordinator tells a worker: the common start instant (epoch ms). */
export type CoordinatorMessage = { type: "start"; at: number };

/** Set in a local worker's environment by its coordinator (with an IPC channel). */
export const COORDINATED_ENV = "PEAKWATCH_COORDINATED";

import { and, eq, gte, inArray, lte } from "drizzle-orm";
import type { Db } from "../../db/open.ts";
import { probeResults, windows } from "../../db/schema/hub.ts";
import { pushFaultChange } from "../faults/shared.ts";
import { rowToWindow } from "../ingest/window-rows.ts";
import type { AlertLog } from "../live/alert-log.ts";
import type { LiveHub } from "../live/live-hub.ts";
import type { LiveWindows } from "../live/live-windows.ts";
import { rowToProbeResult } from "../probes/routes.ts";
import type { ClusterBus } from "./bus.ts";

export interface RelayDeps {
  db: Db;
  bus: ClusterBus;
  live: LiveHub;
  liveWindows: LiveWindows;
  alerts: AlertLog;
  /** Reads a run and pushes it to this replica's clients. */
  pushRun: (runId: string) => void;
  /** A stop was requested on another replica: act on it if this one supervises the run. */
  stopRequested: (runId: string) => void;
  log?: (line: string) => void;
}

/**
 * Feeds other replicas' events to this replica's live clients: reads the referenced rows and
 * broadcasts them locally. Windows are read only for runs someone here is watching.
 */
export function relayClusterEvents(deps: RelayDeps): void {
  const { db, live } = deps;
  const fail = (error: unknown) => (deps.log ?? console.error)(`cluster relay: ${(error as Error).message}`);
  deps.bus.subscribe((event) => {
    if (event.type === "alerts") {
      deps.alerts.pump().catch(fail);
    } else if (event.type === "run") {
      deps.pushRun(event.runId);
    } else if (event.type === "stop") {
      deps.stopRequested(event.runId);
    } else if (event.type === "fault") {
      pushFaultChange(live, event.change, event.projectId);
    } else if (event.type === "probes") {
      db.select()
        .from(probeResults)
        .where(inArray(probeResults.id, event.ids))
        .then((rows) => {
          for (const r of rows)
            live.broadcast("probes", { type: "probe", result: rowToProbeResult(r) }, r.projectId);
        })
        .catch(fail);
    } else {
      for (const { runId, from, to } of event.runs) {
        if (!live.hasRunSubscribers(runId)) continue;
        db.select()
          .from(windows)
          .where(and(eq(windows.runId, runId), gte(windows.second, from), lte(windows.second, to)))
          .then((rows) => deps.liveWindows.ingest(rows.map(rowToWindow)))
          .catch(fail);
      }
    }
  });
}

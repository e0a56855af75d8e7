import { and, eq, inArray, isNotNull } from "drizzle-orm";
import type { Db } from "../../db/open.ts";
import { type RunRow, runs } from "../../db/schema/hub.ts";
import type { Cluster } from "../cluster/cluster.ts";
import type { Leadership } from "../cluster/leader.ts";
import type { RunCoordinator } from "./coordinator.ts";
import { liveWorkerStates, type RunWorkers } from "./run-workers.ts";

export interface RunSupervisorOptions {
  db: Db;
  cluster: Cluster;
  leadership: Leadership;
  workers: RunWorkers;
  coordinator: RunCoordinator;
  /** A worker silent this long before its run's planned end is lost. */
  workerTimeoutMs: number;
  intervalMs?: number;
  now?: () => number;
  changed: (runId: string) => void;
  log?: (line: string) => void;
}

const isLive = (state: string) => (liveWorkerStates as ReadonlyArray<string>).includes(state);

/**
 * The leader's watch over hub-coordinated runs, once a second: a run whose supervising replica
 * is gone is adopted when its workers still report (they go on through the load balancer) and
 * closed as aborted when they do not; a worker of a split run that stops reporting before the
 * planned end is lost, which makes its run degraded, unless the run was asked to stop: then its
 * silence means it finished. Never overlaps itself, never throws.
 */
export class RunSupervisor {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(private readonly options: RunSupervisorOptions) {}

  start(): void {
    this.#timer = setInterval(() => {
      this.#running ??= this.tick()
        .catch((error) => (this.options.log ?? console.error)(`run supervision: ${(error as Error).message}`))
        .finally(() => {
          this.#running = undefined;
        });
    }, this.options.intervalMs ?? 1000);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }

  async tick(): Promise<void> {
    if (!(await this.options.leadership.isLeader())) return;
    const open = await this.options.db
      .select()
      .from(runs)
      .where(and(inArray(runs.status, ["starting", "running"]), isNotNull(runs.supervisorKey)));
    for (const run of open) {
      if (!(await this.options.cluster.isAlive(run.supervisorKey!))) await this.#orphaned(run);
      // A stopped remote run has no process exit to close it: its workers' silence does.
      else if (run.workers > 1 || (run.placement === "kubernetes" && run.stopRequest !== null))
        await this.#heartbeats(run);
    }
  }

  async #orphaned(run: RunRow): Promise<void> {
    const { db, cluster, workerTimeoutMs } = this.options;
    const now = (this.options.now ?? Date.now)();
    const log = this.options.log ?? console.log;
    const workers = await this.options.workers.list(run.runId);
    const reporting = workers.some(
      (w) => isLive(w.state) && w.lastSeenAt !== null && now - w.lastSeenAt < workerTimeoutMs,
    );
    if (reporting) {
      const adopted = await db
        .update(runs)
        .set({ supervisorKey: cluster.self.key })
        .where(and(eq(runs.runId, run.runId), eq(runs.supervisorKey, run.supervisorKey!)))
        .returning({ runId: runs.runId });
      if (adopted.length > 0) {
        log(`run ${run.runId}: its hub replica was lost; adopted (its workers still report)`);
        this.options.changed(run.runId);
      }
      return;
    }
    log(`run ${run.runId}: its hub replica was lost and no worker reports; closed as aborted`);
    await this.options.coordinator.close(
      run.runId,
      "aborted",
      `aborted: hub replica lost (the replica supervising this run died and no worker reported for ${Math.round(workerTimeoutMs / 1000)} s)`,
    );
  }

  async #heartbeats(run: RunRow): Promise<void> {
    const now = (this.options.now ?? Date.now)();
    const { workerTimeoutMs, coordinator } = this.options;
    const startAt = run.startAt ?? run.startedAt;
    const plannedEnd =
      run.plannedSeconds === null ? Number.POSITIVE_INFINITY : startAt + run.plannedSeconds * 1000;
    let ended = false;
    for (const w of await this.options.workers.list(run.runId)) {
      if (!isLive(w.state)) continue;
      const last = Math.max(w.lastSeenAt ?? startAt, startAt);
      if (now - last <= workerTimeoutMs) continue;
      if (last < plannedEnd && run.stopRequest === null) {
        const silent = Math.round((now - last) / 1000);
        await coordinator.lose(
          run.runId,
          w.worker,
          w.lastSeenAt === null ? `never reported in ${silent} s` : `no window for ${silent} s`,
        );
      } else {
        // Silent after its share was done, or after a stop: it finished (a pod has no exit code
        // the hub can see).
        await this.options.workers.ended(run.runId, w.worker, { state: "exited" });
        ended = true;
      }
    }
    if (ended) await coordinator.finishIfEnded(run.runId);
  }
}

import { and, desc, eq, inArray, isNotNull, isNull, lt } from "drizzle-orm";
import type { Db } from "../../db/open.ts";
import { type RunRow, runs, windows } from "../../db/schema/hub.ts";
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
  /**
   * A run its generator reported on its own (`peakwatch run` joining the stack) that sends no
   * window and no run report this long is closed (PEAKWATCH_RUN_STALE_SECONDS); unset: never.
   */
  runStaleMs?: number;
  intervalMs?: number;
  now?: () => number;
  changed: (runId: string) => void;
  log?: (line: string) => void;
}

const isLive = (state: string) => (liveWorkerStates as ReadonlyArray<string>).includes(state);

const open = ["starting", "running"];

/** Before its first window a generator may take this long beyond the stale period to start. */
const FIRST_WINDOW_GRACE_MS = 60_000;

/**
 * The leader's watch over hub-coordinated runs, once a second: a run whose supervising replica
 * is gone is adopted when its workers still report (they go on through the load balancer) and
 * closed as aborted when they do not; a worker of a split run that stops reporting before the
 * planned end is lost, which makes its run degraded, unless the run was asked to stop: then its
 * silence means it finished. A run a generator reported on its own whose generator went silent
 * (it died without cleaning up) is closed as error (aborted when asked to stop). Never overlaps
 * itself, never throws.
 */
export class RunSupervisor {
  #timer: NodeJS.Timeout | undefined;
  /** When this replica last became the leader: a silence is only judged once it has watched it. */
  #leaderSince: number | undefined;
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
    if (!(await this.options.leadership.isLeader())) {
      this.#leaderSince = undefined;
      return;
    }
    this.#leaderSince ??= (this.options.now ?? Date.now)();
    const supervised = await this.options.db
      .select()
      .from(runs)
      .where(and(inArray(runs.status, open), isNotNull(runs.supervisorKey)));
    for (const run of supervised) {
      if (!(await this.options.cluster.isAlive(run.supervisorKey!))) await this.#orphaned(run);
      // A stopped remote run has no process exit to close it: its workers' silence does.
      else if (run.workers > 1 || (run.placement === "kubernetes" && run.stopRequest !== null))
        await this.#heartbeats(run);
    }
    await this.#silentGenerators();
  }

  /**
   * Closes the runs the hub neither started nor supervises whose generator sent no window and no
   * run report (its heartbeat, every 5 s) for the stale period: nothing else would ever end them.
   */
  async #silentGenerators(): Promise<void> {
    const { db, runStaleMs, coordinator } = this.options;
    if (runStaleMs === undefined) return;
    const now = (this.options.now ?? Date.now)();
    const quiet = await db
      .select()
      .from(runs)
      .where(
        and(
          inArray(runs.status, open),
          isNull(runs.supervisorKey),
          isNull(runs.placement),
          lt(runs.updatedAt, new Date(now - runStaleMs)),
        ),
      );
    for (const run of quiet) {
      const [last] = await db
        .select({ second: windows.second })
        .from(windows)
        .where(and(eq(windows.runId, run.runId), eq(windows.projectId, run.projectId)))
        .orderBy(desc(windows.second))
        .limit(1);
      const lastWindowEnd = last ? (last.second + 1) * 1000 : (run.startAt ?? run.startedAt);
      // After a hub outage or a change of leader, a generator that spooled meanwhile gets the whole
      // stale period to be heard again (its retries back off) before its silence counts.
      const heardAt = Math.max(lastWindowEnd, run.updatedAt.getTime(), this.#leaderSince!);
      // A run slow to start (no window yet) gets a grace beyond the stale period.
      if (now - heardAt <= runStaleMs + (last ? 0 : FIRST_WINDOW_GRACE_MS)) continue;
      const silence = last
        ? `no window for ${Math.round((now - lastWindowEnd) / 1000)} s`
        : `no window or report for ${Math.round((now - heardAt) / 1000)} s`;
      const status = run.stopRequest === null ? "error" : "aborted";
      (this.options.log ?? console.log)(
        `run ${run.runId}: its generator went silent (${silence}); closed as ${status}`,
      );
      await coordinator.close(run.runId, status, `${status}: generator went silent: ${silence}`);
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

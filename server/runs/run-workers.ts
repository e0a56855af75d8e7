import { and, eq, inArray, sql } from "drizzle-orm";
import type { Window } from "../../core/window.ts";
import type { Db } from "../../db/open.ts";
import { type RunWorkerRow, runWorkers } from "../../db/schema/hub.ts";
import { pgArray } from "../ingest/pg-array.ts";

/** Worker states that may still send windows. */
/** A worker heard of through its windows: its run, its name and the latest second it covered. */
export type WorkerHeard = Pick<Window, "runId" | "worker" | "second">;

/** Keeps in `latest` each worker's latest second heard of (keyed by run and worker). */
export function latestSecondOf(latest: Map<string, WorkerHeard>, w: WorkerHeard): void {
  const key = `${w.runId}\u0000${w.worker}`;
  const seen = latest.get(key);
  if (!seen) latest.set(key, { runId: w.runId, worker: w.worker, second: w.second });
  else if (w.second > seen.second) seen.second = w.second;
}

export const liveWorkerStates = ["starting", "running"] as const;

/**
 * The workers of hub-coordinated runs in the database, so every replica sees them: who they
 * are, when each was last heard from (any replica's ingest), and how each ended.
 */
export class RunWorkers {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  /** Registers a run's workers as starting (idempotent). */
  async register(
    runId: string,
    workers: ReadonlyArray<{ worker: string; index: number; host?: string | null }>,
  ): Promise<void> {
    if (workers.length === 0) return;
    await this.db
      .insert(runWorkers)
      .values(
        workers.map((w) => ({
          runId,
          worker: w.worker,
          index: w.index,
          host: w.host ?? null,
          state: "starting",
        })),
      )
      .onConflictDoNothing();
  }

  async setPid(runId: string, worker: string, pid: number): Promise<void> {
    await this.db
      .update(runWorkers)
      .set({ pid })
      .where(and(eq(runWorkers.runId, runId), eq(runWorkers.worker, worker)));
  }

  /**
   * Notes that windows of these workers were stored now: their heartbeat. One statement for the
   * whole batch (every run and worker in it, unnested); rows of workers that are not tracked are
   * left alone.
   */
  async heard(windows: ReadonlyArray<WorkerHeard>): Promise<void> {
    const latest = new Map<string, WorkerHeard>();
    for (const w of windows) latestSecondOf(latest, w);
    if (latest.size === 0) return;
    const heard = [...latest.values()];
    await this.db.execute(sql`update ${runWorkers} set
        last_seen_at = ${this.now()}::int8,
        last_second = greatest(coalesce(${runWorkers.lastSecond}, 0), heard.second),
        state = case when ${runWorkers.state} = 'starting' then 'running' else ${runWorkers.state} end
      from unnest(${pgArray(heard.map((h) => h.runId))}::text[], ${pgArray(heard.map((h) => h.worker))}::text[],
        ${pgArray(heard.map((h) => h.second))}::int8[]) as heard(run_id, worker, second)
      where ${runWorkers.runId} = heard.run_id and ${runWorkers.worker} = heard.worker`);
  }

  /** Records how a worker ended; a worker already lost or exited keeps its first ending. */
  async ended(
    runId: string,
    worker: string,
    ending: { state: "exited" | "lost"; exitCode?: number | null; reason?: string },
  ): Promise<boolean> {
    const updated = await this.db
      .update(runWorkers)
      .set({ state: ending.state, exitCode: ending.exitCode ?? null, lostReason: ending.reason ?? null })
      .where(
        and(
          eq(runWorkers.runId, runId),
          eq(runWorkers.worker, worker),
          inArray(runWorkers.state, [...liveWorkerStates]),
        ),
      )
      .returning({ worker: runWorkers.worker });
    return updated.length > 0;
  }

  /** A run's workers by index. */
  async list(runId: string): Promise<RunWorkerRow[]> {
    const rows = await this.db.select().from(runWorkers).where(eq(runWorkers.runId, runId));
    return rows.sort((a, b) => a.index - b.index);
  }
}

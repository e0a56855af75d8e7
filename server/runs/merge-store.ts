import { and, eq, gte, lte, ne, type SQL, sql } from "drizzle-orm";
import type { CauseCounts } from "../../core/error-causes.ts";
import type { Db } from "../../db/open.ts";
import { windowMerges } from "../../db/schema/hub.ts";
import type { SliceFilter } from "./slices-query.ts";

/** Spans of a stored merge: a minute or an hour of one step's raw windows. */
export const MINUTE = 60;
export const HOUR = 3600;

/** A stretch of one step merged across its raw windows: what reads of long runs use. */
export interface MergedStretch {
  projectId: string;
  /** Raw rows and their summed count when merged: a later window changes them, so the merge is stale. */
  rows: number;
  count: number;
  latency: string;
  failedLatency: string | undefined;
  causes: CauseCounts;
}

/** Approximate bytes a merge holds in memory. */
export function stretchBytes(m: MergedStretch): number {
  return (
    200 + m.latency.length * 2 + (m.failedLatency?.length ?? 0) * 2 + JSON.stringify(m.causes).length * 2
  );
}

/** A merge with where it belongs. */
export interface StoredMerge extends MergedStretch {
  step: string;
  span: number;
  start: number;
}

/** Rows per INSERT when saving merges (10 parameters a row, far below Postgres's 65,535). */
const SAVE_BATCH = 500;

/**
 * Merges kept in the database (hub.window_merges), so the first read of a long run after a hub
 * restart, or on another replica, selects a few thousand merged rows instead of every raw window.
 * Whoever reads one checks it against the raw rows' current count before using it.
 */
export class MergeStore {
  constructor(private readonly db: Db) {}

  /** The stored merges of a run's stretches of `span` seconds that overlap the filter. */
  async load(runId: string, span: number, filter: SliceFilter): Promise<StoredMerge[]> {
    const where: SQL[] = [eq(windowMerges.runId, runId), eq(windowMerges.span, span)];
    if (typeof filter.step === "string") where.push(eq(windowMerges.step, filter.step));
    else if (filter.step) where.push(ne(windowMerges.step, filter.step.except));
    if (filter.from !== undefined) where.push(gte(windowMerges.start, Math.floor(filter.from / span) * span));
    if (filter.to !== undefined) where.push(lte(windowMerges.start, filter.to));
    const rows = await this.db
      .select()
      .from(windowMerges)
      .where(and(...where));
    return rows.map((r) => ({
      projectId: r.projectId,
      step: r.step,
      span: r.span,
      start: r.start,
      rows: r.rows,
      count: r.count,
      latency: r.latency,
      failedLatency: r.failedLatency ?? undefined,
      causes: r.causes,
    }));
  }

  /**
   * Saves merges, replacing older ones of the same stretch. Idempotent. A stretch listed twice
   * (a minute a late window reopened and finished again) is saved once, as listed last: one
   * statement cannot update a row twice.
   */
  async save(runId: string, merges: ReadonlyArray<StoredMerge>): Promise<void> {
    const latest = new Map<string, StoredMerge>();
    for (const m of merges) latest.set(`${m.span} ${m.start} ${m.step}`, m);
    // In key order, so two replicas saving the same stretches lock their rows in the same order.
    const sorted = [...latest.values()].sort(
      (a, b) => a.step.localeCompare(b.step) || a.span - b.span || a.start - b.start,
    );
    for (let i = 0; i < sorted.length; i += SAVE_BATCH) {
      await this.db
        .insert(windowMerges)
        .values(
          sorted.slice(i, i + SAVE_BATCH).map((m) => ({
            projectId: m.projectId,
            runId,
            step: m.step,
            span: m.span,
            start: m.start,
            rows: m.rows,
            count: m.count,
            latency: m.latency,
            failedLatency: m.failedLatency ?? null,
            causes: m.causes,
          })),
        )
        .onConflictDoUpdate({
          target: [windowMerges.runId, windowMerges.step, windowMerges.span, windowMerges.start],
          set: {
            projectId: sql`excluded.project_id`,
            rows: sql`excluded.rows`,
            count: sql`excluded.count`,
            latency: sql`excluded.latency`,
            failedLatency: sql`excluded.failed_latency`,
            causes: sql`excluded.causes`,
          },
        });
    }
  }
}

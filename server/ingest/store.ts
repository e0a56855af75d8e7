import { sql } from "drizzle-orm";
import type { ProbeResult } from "../../core/probe-result.ts";
import type { RunReport } from "../../core/run.ts";
import { type Window, windowKey } from "../../core/window.ts";
import type { Db } from "../../db/open.ts";
import { probeResults, type RunRow, runs, windows } from "../../db/schema/hub.ts";
import { windowToRow } from "./window-rows.ts";

/** Rows per INSERT: 16 columns × 2000 rows stays under Postgres's 65,535 bind parameters. */
const CHUNK = 2000;

function chunks<T>(items: ReadonlyArray<T>, size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Last one wins when a batch repeats a key (one INSERT … ON CONFLICT cannot touch a row twice). */
function uniqueBy<T>(items: ReadonlyArray<T>, key: (item: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const item of items) byKey.set(key(item), item);
  return [...byKey.values()];
}

/**
 * Upserts windows on (run, step, worker, second) in one transaction: a replayed batch replaces
 * its rows and never doubles a count; all or nothing. Returns how many distinct windows were stored.
 */
export async function storeWindows(db: Db, batch: ReadonlyArray<Window>): Promise<number> {
  const rows = uniqueBy(batch, windowKey).map(windowToRow);
  await db.transaction(async (tx) => {
    for (const part of chunks(rows, CHUNK)) {
      await tx
        .insert(windows)
        .values(part)
        .onConflictDoUpdate({
          target: [windows.runId, windows.step, windows.worker, windows.second],
          set: {
            count: sql`excluded.count`,
            errConnect: sql`excluded.err_connect`,
            errTimeout: sql`excluded.err_timeout`,
            errHttp4xx: sql`excluded.err_http4xx`,
            errHttp5xx: sql`excluded.err_http5xx`,
            errAssertion: sql`excluded.err_assertion`,
            bytes: sql`excluded.bytes`,
            targetRate: sql`excluded.target_rate`,
            achievedRate: sql`excluded.achieved_rate`,
            dropped: sql`excluded.dropped`,
            latency: sql`excluded.latency`,
            service: sql`excluded.service`,
            causes: sql`excluded.causes`,
            failedLatency: sql`excluded.failed_latency`,
          },
        });
    }
  });
  return rows.length;
}

/** Inserts probe results, ignoring ids already stored (idempotent replays). Returns the batch size. */
export async function storeProbeResults(db: Db, batch: ReadonlyArray<ProbeResult>): Promise<number> {
  const rows = uniqueBy(batch, (r) => r.id).map((r) => ({
    id: r.id,
    probe: r.probe,
    kind: r.kind,
    region: r.region,
    target: r.target,
    startedAt: r.startedAt,
    ok: r.ok,
    state: r.state,
    status: r.status ?? null,
    message: r.message ?? null,
    totalMs: r.phases.total,
    phases: r.phases,
    steps: r.steps ?? null,
  }));
  await db.transaction(async (tx) => {
    for (const part of chunks(rows, CHUNK)) await tx.insert(probeResults).values(part).onConflictDoNothing();
  });
  return rows.length;
}

/** Upserts a run by runId with what its generator reports; keeps who started it. Returns the stored row. */
export async function storeRunReport(db: Db, report: RunReport): Promise<RunRow> {
  const values = {
    runId: report.runId,
    profile: report.profile,
    target: report.target,
    status: report.status,
    startedAt: report.startedAt,
    endedAt: report.endedAt ?? null,
    plannedSeconds: report.plannedSeconds ?? null,
    workers: report.workers,
    thresholds: report.thresholds,
    faults: report.faults,
    verdict: report.verdict ?? null,
  };
  const { runId: _key, ...update } = values;
  const [row] = await db
    .insert(runs)
    .values(values)
    .onConflictDoUpdate({ target: runs.runId, set: { ...update, updatedAt: sql`now()` } })
    .returning();
  return row!;
}

import { and, eq, inArray, ne, sql } from "drizzle-orm";
import { getTableConfig } from "drizzle-orm/pg-core";
import type { ProbeResult } from "../../core/probe-result.ts";
import type { RunReport } from "../../core/run.ts";
import { type Window, windowKey } from "../../core/window.ts";
import type { Db } from "../../db/open.ts";
import { rawQuery } from "../../db/raw.ts";
import { probeResults, type RunRow, runs, type WindowRow, windows } from "../../db/schema/hub.ts";
import { pgArray } from "./pg-array.ts";
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

/** The windows table's columns in insert order, with the array type each one is unnested from. */
const windowColumns = [
  ["project_id", "uuid", (r: WindowRow) => r.projectId],
  ["run_id", "text", (r: WindowRow) => r.runId],
  ["step", "text", (r: WindowRow) => r.step],
  ["worker", "text", (r: WindowRow) => r.worker],
  ["second", "int8", (r: WindowRow) => r.second],
  ["count", "int4", (r: WindowRow) => r.count],
  ["err_connect", "int4", (r: WindowRow) => r.errConnect],
  ["err_timeout", "int4", (r: WindowRow) => r.errTimeout],
  ["err_http4xx", "int4", (r: WindowRow) => r.errHttp4xx],
  ["err_http5xx", "int4", (r: WindowRow) => r.errHttp5xx],
  ["err_assertion", "int4", (r: WindowRow) => r.errAssertion],
  ["bytes", "int8", (r: WindowRow) => r.bytes],
  ["target_rate", "float8", (r: WindowRow) => r.targetRate],
  ["achieved_rate", "float8", (r: WindowRow) => r.achievedRate],
  ["dropped", "int4", (r: WindowRow) => r.dropped],
  ["latency", "text", (r: WindowRow) => r.latency],
  ["service", "text", (r: WindowRow) => r.service],
  ["causes", "jsonb", (r: WindowRow) => (r.causes === null ? null : JSON.stringify(r.causes))],
  ["failed_latency", "text", (r: WindowRow) => r.failedLatency],
] as const satisfies ReadonlyArray<readonly [string, string, (r: WindowRow) => string | number | null]>;

const { schema: windowsSchema, name: windowsName } = getTableConfig(windows);
const windowsTable = `"${windowsSchema ?? "public"}"."${windowsName}"`;

/**
 * The batch upsert, built once: one text parameter per column (a Postgres array literal, cast and
 * unnested in SQL), so a batch of any size is the same prepared statement.
 */
const upsertWindows = `insert into ${windowsTable} (${windowColumns.map(([name]) => name).join(", ")})
  select * from unnest(${windowColumns.map(([, type], i) => `$${i + 1}::${type}[]`).join(", ")})
  on conflict (run_id, step, worker, second) do update set ${windowColumns
    .slice(5)
    .map(([name]) => `${name} = excluded.${name}`)
    .join(", ")}
  where ${windowsTable}.project_id = excluded.project_id`;

/**
 * Upserts windows on (run, step, worker, second) in ONE statement (`INSERT … SELECT FROM
 * unnest(…)`, one array parameter per column), sent straight to the driver: a replayed batch
 * replaces its rows and never doubles a count; all or nothing. Histograms are stored as received
 * (validated structurally, never decoded here). A window never replaces another project's row
 * (callers check the runs' project first; this guards the rest). Returns how many distinct
 * windows were stored.
 */
export async function storeWindows(db: Db, batch: ReadonlyArray<Window>, projectId: string): Promise<number> {
  const rows = uniqueBy(batch, windowKey).map((w) => windowToRow(w, projectId));
  await upsertWindowRows(db, rows);
  return rows.length;
}

/**
 * storeWindows's statement for rows already made unique by (run, step, worker, second): one
 * statement, all or nothing. Rows of several projects may go together; each replaces only a row
 * of its own project.
 */
export async function upsertWindowRows(db: Db, rows: ReadonlyArray<WindowRow>): Promise<void> {
  await rawQuery(db)(
    upsertWindows,
    windowColumns.map(([, , get]) => pgArray(rows.map((r) => get(r) ?? null))),
  );
}

/** Inserts probe results, ignoring ids already stored (idempotent replays). Returns the batch size. */
export async function storeProbeResults(
  db: Db,
  batch: ReadonlyArray<ProbeResult>,
  projectId: string,
): Promise<number> {
  const rows = uniqueBy(batch, (r) => r.id).map((r) => ({
    projectId,
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

/**
 * Upserts a run by runId with what its generator reports; keeps who started it. Returns the stored
 * row, or undefined when the run id belongs to another project (nothing is changed then).
 */
export async function storeRunReport(
  db: Db,
  report: RunReport,
  projectId: string,
): Promise<RunRow | undefined> {
  const values = {
    projectId,
    runId: report.runId,
    profile: report.profile,
    target: report.target,
    status: report.status,
    startedAt: report.startedAt,
    endedAt: report.endedAt ?? null,
    plannedSeconds: report.plannedSeconds ?? null,
    workers: report.workers,
    workerLosses: report.workerLosses,
    thresholds: report.thresholds,
    faults: report.faults,
    verdict: report.verdict ?? null,
    stoppedBy: report.stoppedBy ?? null,
  };
  const { runId: _key, projectId: _project, ...update } = values;
  // A worker of a run the hub split ends only its own share: the hub closes the run (server/runs/coordinator.ts).
  const hubCloses = sql`${runs.supervisorKey} is not null and ${runs.workers} > 1`;
  const [row] = await db
    .insert(runs)
    .values(values)
    .onConflictDoUpdate({
      target: runs.runId,
      set: {
        ...update,
        status: sql`case when ${hubCloses} then (case when ${runs.status} = 'starting' then 'running' else ${runs.status} end) else excluded.status end`,
        endedAt: sql`case when ${hubCloses} then ${runs.endedAt} else excluded.ended_at end`,
        startedAt: sql`case when ${hubCloses} then ${runs.startedAt} else excluded.started_at end`,
        workerLosses: sql`case when ${hubCloses} then ${runs.workerLosses} else excluded.worker_losses end`,
        // Its worker 0 alone switches faults; the hub judges thresholds over all workers at the end.
        faults: sql`case when ${hubCloses} and excluded.faults = '[]'::jsonb then ${runs.faults} else excluded.faults end`,
        thresholds: sql`case when ${hubCloses} and ${runs.status} not in ('starting', 'running') then ${runs.thresholds} else excluded.thresholds end`,
        verdict: sql`case when ${hubCloses} then ${runs.verdict} else excluded.verdict end`,
        // The hub records the first worker's abort when it stops the others (RunCoordinator.stopOnThreshold).
        stoppedBy: sql`case when ${hubCloses} then ${runs.stoppedBy} else excluded.stopped_by end`,
        plannedSeconds: sql`coalesce(excluded.planned_seconds, ${runs.plannedSeconds})`,
        updatedAt: sql`now()`,
      },
      setWhere: eq(runs.projectId, projectId),
    })
    .returning();
  return row;
}

/**
 * The run ids among `runIds` that exist (as a run or as stored windows) in a project other than
 * `projectId`: ingest answers 404 for them, as if they did not exist.
 */
export async function foreignRunIds(
  db: Db,
  runIds: ReadonlyArray<string>,
  projectId: string,
): Promise<string[]> {
  if (runIds.length === 0) return [];
  const ids = [...new Set(runIds)];
  const [asRuns, asWindows] = await Promise.all([
    db
      .select({ runId: runs.runId })
      .from(runs)
      .where(and(inArray(runs.runId, ids), ne(runs.projectId, projectId))),
    db
      .selectDistinct({ runId: windows.runId })
      .from(windows)
      .where(and(inArray(windows.runId, ids), ne(windows.projectId, projectId))),
  ]);
  return [...new Set([...asRuns, ...asWindows].map((r) => r.runId))];
}

/** The project of a run id (as a run, else by its stored windows); undefined when nothing has it. */
export async function runProjectOf(db: Db, runId: string): Promise<string | undefined> {
  const [run] = await db.select({ projectId: runs.projectId }).from(runs).where(eq(runs.runId, runId));
  if (run) return run.projectId;
  const [window] = await db
    .select({ projectId: windows.projectId })
    .from(windows)
    .where(eq(windows.runId, runId))
    .limit(1);
  return window?.projectId;
}

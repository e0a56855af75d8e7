import { and, eq, gte, lt, sql } from "drizzle-orm";
import { DEFAULT_PROJECT_ID } from "../../core/api/projects.ts";
import { type CauseCounts, mergeCauses } from "../../core/error-causes.ts";
import { encodeHistogram, mergeEncoded } from "../../core/histogram.ts";
import { causesOf } from "../../core/window.ts";
import type { Db } from "../../db/open.ts";
import {
  type WindowMinuteRow,
  type WindowRow,
  windowMerges,
  windowMinutes,
  windows,
} from "../../db/schema/hub.ts";
import { SLICE_MS, yieldToLoop } from "../event-loop.ts";
import { rowErrors } from "../ingest/window-rows.ts";

/** Merges one minute of one step's per-second rows (any workers) into a roll-up row. Pure. */
export function rollUpMinute(
  runId: string,
  step: string,
  minute: number,
  rows: ReadonlyArray<WindowRow>,
  existing?: WindowMinuteRow,
): WindowMinuteRow {
  const sum = (f: (r: WindowRow) => number) => rows.reduce((acc, r) => acc + f(r), 0);
  const latency = mergeEncoded([...rows.map((r) => r.latency), ...(existing ? [existing.latency] : [])]);
  const failed = [...rows, ...(existing ? [existing] : [])].flatMap((r) =>
    r.failedLatency ? [r.failedLatency] : [],
  );
  const causes: CauseCounts = {};
  for (const r of rows) mergeCauses(causes, causesOf(rowCauses(r)));
  if (existing) mergeCauses(causes, causesOf(rowCauses(existing)));
  return {
    // A run's rows all carry its project.
    projectId: rows[0]?.projectId ?? existing?.projectId ?? DEFAULT_PROJECT_ID,
    runId,
    step,
    minute,
    seconds: rows.length + (existing?.seconds ?? 0),
    count: sum((r) => r.count) + (existing?.count ?? 0),
    errConnect: sum((r) => r.errConnect) + (existing?.errConnect ?? 0),
    errTimeout: sum((r) => r.errTimeout) + (existing?.errTimeout ?? 0),
    errHttp4xx: sum((r) => r.errHttp4xx) + (existing?.errHttp4xx ?? 0),
    errHttp5xx: sum((r) => r.errHttp5xx) + (existing?.errHttp5xx ?? 0),
    errAssertion: sum((r) => r.errAssertion) + (existing?.errAssertion ?? 0),
    bytes: sum((r) => r.bytes) + (existing?.bytes ?? 0),
    targetRateSum: sum((r) => r.targetRate) + (existing?.targetRateSum ?? 0),
    achievedRateSum: sum((r) => r.achievedRate) + (existing?.achievedRateSum ?? 0),
    dropped: sum((r) => r.dropped) + (existing?.dropped ?? 0),
    latency: encodeHistogram(latency),
    causes,
    failedLatency: failed.length > 0 ? encodeHistogram(mergeEncoded(failed)) : null,
  };
}

/** The fields causesOf() reads, from a per-second or per-minute row. */
function rowCauses(r: WindowRow | WindowMinuteRow) {
  return {
    step: r.step,
    causes: r.causes ?? undefined,
    dropped: r.dropped,
    errors: rowErrors(r),
  };
}

/** Seconds of raw windows rolled up per transaction, so memory stays bounded on long runs. */
const CHUNK_SECONDS = 3600;

/**
 * Rolls raw windows older than `cutoffSecond` into per-minute rows and deletes them, one run
 * and hour at a time, each in a transaction: a window is counted either raw or rolled up,
 * never both (the reads' stored merges of those rows go too). Late windows for an already
 * rolled-up minute merge into it. Visits only the hours that hold rows (one window at second 0
 * is one hour of work, not every hour since 1970) and yields to the event loop between hours
 * and while merging. Returns rows removed.
 */
export async function rollUpWindows(db: Db, cutoffSecond: number): Promise<number> {
  const cutoff = Math.floor(cutoffSecond / 60) * 60;
  const hours = await db
    .select({
      runId: windows.runId,
      hour: sql<number>`(floor(${windows.second} / ${CHUNK_SECONDS}) * ${CHUNK_SECONDS})::float8`,
    })
    .from(windows)
    .where(lt(windows.second, cutoff))
    .groupBy(sql`1, 2`)
    .orderBy(sql`1, 2`);
  let removed = 0;
  for (const { runId, hour } of hours) {
    await yieldToLoop();
    const from = Number(hour);
    const to = Math.min(from + CHUNK_SECONDS, cutoff);
    removed += await db.transaction(async (tx) => {
      const inChunk = and(eq(windows.runId, runId), gte(windows.second, from), lt(windows.second, to));
      const rows = await tx.select().from(windows).where(inChunk);
      if (rows.length === 0) return 0;
      const groups = new Map<string, WindowRow[]>();
      for (const r of rows) {
        const key = `${r.step}\u0000${Math.floor(r.second / 60) * 60}`;
        const list = groups.get(key) ?? [];
        list.push(r);
        groups.set(key, list);
      }
      const existing = await tx
        .select()
        .from(windowMinutes)
        .where(
          and(eq(windowMinutes.runId, runId), gte(windowMinutes.minute, from), lt(windowMinutes.minute, to)),
        );
      const existingByKey = new Map(existing.map((m) => [`${m.step}\u0000${m.minute}`, m]));
      const rollups: WindowMinuteRow[] = [];
      let sliceStart = performance.now();
      for (const [key, list] of groups) {
        if (performance.now() - sliceStart > SLICE_MS) {
          await yieldToLoop();
          sliceStart = performance.now();
        }
        const [step, minute] = key.split("\u0000") as [string, string];
        rollups.push(rollUpMinute(runId, step, Number(minute), list, existingByKey.get(key)));
      }
      for (let i = 0; i < rollups.length; i += 1000) {
        await tx
          .insert(windowMinutes)
          .values(rollups.slice(i, i + 1000))
          .onConflictDoUpdate({
            target: [windowMinutes.runId, windowMinutes.step, windowMinutes.minute],
            set: Object.fromEntries(
              [
                "seconds",
                "count",
                "err_connect",
                "err_timeout",
                "err_http4xx",
                "err_http5xx",
                "err_assertion",
                "bytes",
                "target_rate_sum",
                "achieved_rate_sum",
                "dropped",
                "latency",
                "causes",
                "failed_latency",
              ].map((column) => [camel(column), sql.raw(`excluded.${column}`)]),
            ),
          });
      }
      await tx.delete(windows).where(inChunk);
      // Merges the reads kept of these raw rows (server/runs/merge-store.ts) go with them.
      await tx
        .delete(windowMerges)
        .where(and(eq(windowMerges.runId, runId), gte(windowMerges.start, from), lt(windowMerges.start, to)));
      return rows.length;
    });
  }
  return removed;
}

const camel = (snake: string) => snake.replace(/_([a-z0-9])/g, (_, ch: string) => ch.toUpperCase());

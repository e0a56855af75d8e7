import { and, eq, gte, lte, ne, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/open.ts";
import { windows } from "../../db/schema/hub.ts";
import { yieldToLoop } from "../event-loop.ts";
import type { MergedStretch } from "./merge-store.ts";
import type { Slice } from "./slices.ts";
import type { SliceFilter } from "./slices-query.ts";

/** Rows of a raw `db.execute` result, whichever driver answered. */
export const rowsOf = <T>(result: unknown): T[] =>
  Array.isArray(result) ? (result as T[]) : (result as { rows: T[] }).rows;

/** Raw rows one sums query aggregates at most (about): a few ms of the database each. */
const ROWS_PER_QUERY = 10_000;

/**
 * Per (step, minute) sums of the raw rows, aggregated by the database whole hours of the run at
 * a time, about ROWS_PER_QUERY rows per query (numbers only, no histograms), with a yield between
 * queries, so neither the database (PGlite may run on this thread) nor the loop is held for the
 * whole run at once, and a long run is not asked for hour by hour.
 */
export async function minuteSums(db: Db, runId: string, filter: SliceFilter): Promise<MinuteSums[]> {
  const [span] = rowsOf<{ first: number | null; last: number | null; rows: number }>(
    await db.execute(
      sql`select min(second)::float8 as first, max(second)::float8 as last, count(*)::int as rows from ${windows} where ${rawWhere(runId, filter)}`,
    ),
  );
  if (span?.first == null || span.last == null) return [];
  const firstHour = Math.floor(span.first / 3600) * 3600;
  const rowsPerHour = span.rows / ((span.last - firstHour) / 3600 + 1);
  const stride = Math.max(1, Math.floor(ROWS_PER_QUERY / rowsPerHour)) * 3600;
  const out: MinuteSums[] = [];
  for (let from = firstHour; from <= span.last; from += stride) {
    await yieldToLoop();
    const hours = {
      ...filter,
      from: Math.max(from, filter.from ?? from),
      to: Math.min(from + stride - 1, filter.to ?? from + stride - 1),
    };
    const rows = rowsOf<MinuteSums>(
      await db.execute(sql`
        select step, (floor(second / 60) * 60)::float8 as minute, count(*)::int as rows,
          count(distinct second)::int as seconds, sum(count)::float8 as count,
          sum(err_connect)::float8 as err_connect, sum(err_timeout)::float8 as err_timeout,
          sum(err_http4xx)::float8 as err_http4xx, sum(err_http5xx)::float8 as err_http5xx,
          sum(err_assertion)::float8 as err_assertion, sum(bytes)::float8 as bytes,
          sum(target_rate)::float8 as target_rate, sum(achieved_rate)::float8 as achieved_rate,
          sum(dropped)::float8 as dropped
        from ${windows} where ${rawWhere(runId, hours)} group by 1, 2`),
    );
    for (const r of rows) out.push({ ...r, minute: Number(r.minute) });
  }
  return out;
}

/** A slice from SQL sums and a merge. */
export function sliceOf(g: MinuteSums, m: MergedStretch): Slice {
  return {
    step: g.step,
    second: g.minute,
    span: g.seconds,
    count: g.count,
    errors: {
      connect: g.err_connect,
      timeout: g.err_timeout,
      http4xx: g.err_http4xx,
      http5xx: g.err_http5xx,
      assertion: g.err_assertion,
    },
    causes: m.causes,
    bytes: g.bytes,
    dropped: g.dropped,
    targetRateSeconds: g.target_rate,
    achievedRateSeconds: g.achieved_rate,
    latency: m.latency,
    ...(m.failedLatency ? { failedLatency: m.failedLatency } : {}),
  };
}

/** The sums of several groups of one step (their minute: the first one's). */
export function sumGroups(groups: ReadonlyArray<MinuteSums>): MinuteSums {
  const out = { ...groups[0]! };
  const summed = (Object.keys(out) as Array<keyof MinuteSums>).filter(
    (k): k is Exclude<keyof MinuteSums, "step" | "minute"> => k !== "step" && k !== "minute",
  );
  for (let i = 1; i < groups.length; i++) for (const k of summed) out[k] += groups[i]![k];
  return out;
}

export interface MinuteSums {
  step: string;
  minute: number;
  rows: number;
  seconds: number;
  count: number;
  err_connect: number;
  err_timeout: number;
  err_http4xx: number;
  err_http5xx: number;
  err_assertion: number;
  bytes: number;
  target_rate: number;
  achieved_rate: number;
  dropped: number;
}

/** The raw-window condition of a slice filter. */
export function rawWhere(runId: string, filter: SliceFilter): SQL {
  const where: SQL[] = [eq(windows.runId, runId)];
  if (typeof filter.step === "string") where.push(eq(windows.step, filter.step));
  else if (filter.step) where.push(ne(windows.step, filter.step.except));
  if (filter.from !== undefined) where.push(gte(windows.second, filter.from));
  if (filter.to !== undefined) where.push(lte(windows.second, filter.to));
  return and(...where)!;
}

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

/**
 * Per (step, minute) sums of the raw rows, aggregated by the database an hour of the run at a
 * time (numbers only, no histograms) with a yield between hours, so neither the database
 * (PGlite runs on this thread) nor the loop is held for the whole run at once.
 */
export async function minuteSums(db: Db, runId: string, filter: SliceFilter): Promise<MinuteSums[]> {
  const [span] = rowsOf<{ first: number | null; last: number | null }>(
    await db.execute(
      sql`select min(second)::float8 as first, max(second)::float8 as last from ${windows} where ${rawWhere(runId, filter)}`,
    ),
  );
  if (span?.first == null || span.last == null) return [];
  const out: MinuteSums[] = [];
  for (let from = Math.floor(span.first / 3600) * 3600; from <= span.last; from += 3600) {
    await yieldToLoop();
    const hour = {
      ...filter,
      from: Math.max(from, filter.from ?? from),
      to: Math.min(from + 3599, filter.to ?? from + 3599),
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
        from ${windows} where ${rawWhere(runId, hour)} group by 1, 2`),
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

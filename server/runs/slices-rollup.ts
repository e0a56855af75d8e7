import { and, eq, gte, lt, lte, ne, type SQL, sql } from "drizzle-orm";
import { type CauseCounts, mergeCauses } from "../../core/error-causes.ts";
import { addEncoded, encodeHistogram, newHistogram } from "../../core/histogram.ts";
import { causesOf, type Window } from "../../core/window.ts";
import type { Db } from "../../db/open.ts";
import { windows } from "../../db/schema/hub.ts";
import { SLICE_MS, yieldToLoop } from "../event-loop.ts";
import { rowErrors } from "../ingest/window-rows.ts";
import type { Slice } from "./slices.ts";
import type { SliceFilter } from "./slices-query.ts";

/** A minute of one step merged across its raw windows: what reads of long runs use. */
interface MergedMinute {
  /** Raw rows and their summed count when merged: a later window changes them, so the entry is stale. */
  rows: number;
  count: number;
  latency: string;
  failedLatency: string | undefined;
  causes: CauseCounts;
  bytes: number;
}

export interface MinuteRollupsOptions {
  /** Epoch milliseconds (the hub's clock). */
  now: () => number;
  /** Memory budget for merged minutes, bytes; least recently used ones go first. */
  maxBytes?: number;
  /** Milliseconds between background passes over freshly ingested minutes (0: none). */
  intervalMs?: number;
}

/** Seconds after a minute ends before the background pass merges it (late windows settle). */
const SETTLE_SECONDS = 10;

const keyOf = (runId: string, step: string, minute: number) => `${runId}\u0000${step}\u0000${minute}`;
const hourKeyOf = (runId: string, step: string, hour: number) => `${runId}\u0000${step}\u0000h${hour}`;
const rowsOf = <T>(result: unknown): T[] =>
  Array.isArray(result) ? (result as T[]) : (result as { rows: T[] }).rows;

/**
 * Per-minute roll-ups of raw windows for reading long runs: sums come from SQL over the raw rows
 * (no histogram leaves the database for them), merged histograms and causes from a cache bounded
 * in bytes, filled in the background as windows arrive and, for what is missing, on read a
 * slice at a time so the event loop is never held for more than a few ms. An entry is used only
 * while its minute still has the rows and count it was merged from.
 */
export class MinuteRollups {
  readonly #cache = new Map<string, MergedMinute>();
  #bytes = 0;
  readonly #dirty = new Map<string, { runId: string; step: string; minute: number }>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  readonly #maxBytes: number;

  constructor(
    private readonly db: Db,
    private readonly options: MinuteRollupsOptions,
  ) {
    this.#maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    if ((options.intervalMs ?? 5000) > 0) {
      this.#timer = setInterval(() => {
        this.#running ??= this.mergeSettled().finally(() => {
          this.#running = undefined;
        });
      }, options.intervalMs ?? 5000);
      this.#timer.unref();
    }
  }

  /** Notes freshly stored windows; their minutes are merged once settled. Never blocks. */
  noteIngested(batch: ReadonlyArray<Pick<Window, "runId" | "step" | "second">>): void {
    for (const w of batch) {
      const minute = Math.floor(w.second / 60) * 60;
      this.#dirty.set(keyOf(w.runId, w.step, minute), { runId: w.runId, step: w.step, minute });
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }

  /** Merges the noted minutes that ended SETTLE_SECONDS ago or more (background pass). */
  async mergeSettled(): Promise<void> {
    const settledBefore = Math.floor(this.options.now() / 1000) - 60 - SETTLE_SECONDS;
    const due = [...this.#dirty].filter(([, m]) => m.minute <= settledBefore);
    for (const [key] of due) this.#dirty.delete(key);
    const byStep = new Map<string, { runId: string; step: string; minutes: number[] }>();
    for (const [, m] of due) {
      const k = `${m.runId}\u0000${m.step}`;
      const entry = byStep.get(k) ?? { runId: m.runId, step: m.step, minutes: [] };
      entry.minutes.push(m.minute);
      byStep.set(k, entry);
    }
    for (const { runId, step, minutes } of byStep.values()) {
      try {
        await this.#merge(runId, step, minutes);
      } catch {
        // A failed pass leaves the minutes unmerged; a read merges them when it needs them.
      }
    }
  }

  /** Whether a read of this run would touch more than `limit` raw windows (counts at most limit + 1). */
  async exceeds(runId: string, filter: SliceFilter, limit: number): Promise<boolean> {
    const [row] = rowsOf<{ n: number }>(
      await this.db.execute(
        sql`select count(*)::int as n from (select 1 from ${windows} where ${rawWhere(runId, filter)} limit ${limit + 1}) as capped`,
      ),
    );
    return (row?.n ?? 0) > limit;
  }

  /**
   * The run's raw windows as one slice per (step, minute), span = seconds present. Sums are exact
   * (SQL); histograms and causes come from the cache, merged now for minutes it lacks.
   */
  async minuteSlices(runId: string, filter: SliceFilter): Promise<Slice[]> {
    return (await this.#mergedMinutes(runId, filter)).map(({ g, m }) => sliceOf(g, m));
  }

  /**
   * The run's raw windows as one slice per (step, hour), for totals that need no finer grain
   * (run detail, report tables): the same sums, and histograms merged from the minutes' merges,
   * so percentiles stay exact while a read decodes tens of histograms instead of thousands. An
   * hour's merge is cached and used while the hour still has the rows and count it came from.
   */
  async hourSlices(runId: string, filter: SliceFilter): Promise<Slice[]> {
    return this.#hours(runId, await this.#mergedMinutes(runId, filter));
  }

  /** Both minuteSlices and hourSlices of one read (the database is asked once). */
  async minuteAndHourSlices(
    runId: string,
    filter: SliceFilter,
  ): Promise<{ minutes: Slice[]; hours: Slice[] }> {
    const entries = await this.#mergedMinutes(runId, filter);
    return { minutes: entries.map(({ g, m }) => sliceOf(g, m)), hours: await this.#hours(runId, entries) };
  }

  async #hours(runId: string, entries: ReadonlyArray<{ g: MinuteSums; m: MergedMinute }>): Promise<Slice[]> {
    const byHour = new Map<string, Array<{ g: MinuteSums; m: MergedMinute }>>();
    for (const entry of entries) {
      const key = hourKeyOf(runId, entry.g.step, Math.floor(entry.g.minute / 3600) * 3600);
      const list = byHour.get(key);
      if (list) list.push(entry);
      else byHour.set(key, [entry]);
    }
    const out: Slice[] = [];
    let sliceStart = performance.now();
    for (const [key, list] of byHour) {
      const g = sumGroups(list.map((e) => e.g));
      let m = this.#get(key);
      if (!m || m.rows !== g.rows || m.count !== g.count) {
        const latency = newHistogram();
        let failed: ReturnType<typeof newHistogram> | undefined;
        const causes: CauseCounts = {};
        for (const e of list) {
          if (performance.now() - sliceStart > SLICE_MS) {
            await yieldToLoop();
            sliceStart = performance.now();
          }
          addEncoded(latency, e.m.latency);
          if (e.m.failedLatency) {
            failed ??= newHistogram();
            addEncoded(failed, e.m.failedLatency);
          }
          mergeCauses(causes, e.m.causes);
        }
        m = merged(g.rows, g.count, latency, failed, causes);
        this.#set(key, m);
      }
      out.push(sliceOf({ ...g, minute: Math.floor(list[0]!.g.minute / 3600) * 3600 }, m));
    }
    return out;
  }

  /** Every (step, minute) of the run's raw windows with its sums and its merge (made now if missing or stale). */
  async #mergedMinutes(
    runId: string,
    filter: SliceFilter,
  ): Promise<Array<{ g: MinuteSums; m: MergedMinute }>> {
    const groups = await this.#sums(runId, filter);
    const missing = new Map<string, number[]>();
    for (const g of groups) {
      const cached = this.#get(keyOf(runId, g.step, g.minute));
      if (cached && cached.rows === g.rows && cached.count === g.count) continue;
      const list = missing.get(g.step) ?? [];
      list.push(g.minute);
      missing.set(g.step, list);
    }
    const merged = new Map<string, MergedMinute>();
    for (const [step, minutes] of missing) {
      for (const [key, m] of await this.#merge(runId, step, minutes)) merged.set(key, m);
    }
    return groups.map((g) => {
      const key = keyOf(runId, g.step, g.minute);
      return { g, m: merged.get(key) ?? this.#get(key)! };
    });
  }

  /**
   * Per (step, minute) sums of the raw rows, aggregated by the database an hour of the run at a
   * time (numbers only, no histograms) with a yield between hours, so neither the database
   * (PGlite runs on this thread) nor the loop is held for the whole run at once.
   */
  async #sums(runId: string, filter: SliceFilter): Promise<MinuteSums[]> {
    const [span] = rowsOf<{ first: number | null; last: number | null }>(
      await this.db.execute(
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
        await this.db.execute(sql`
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

  /** Merges the given minutes of one step from their raw rows, an hour of rows per query. */
  async #merge(runId: string, step: string, minutes: number[]): Promise<Map<string, MergedMinute>> {
    const out = new Map<string, MergedMinute>();
    const sorted = [...new Set(minutes)].sort((a, b) => a - b);
    let sliceStart = performance.now();
    for (let i = 0; i < sorted.length; ) {
      const from = sorted[i]!;
      let j = i;
      while (j + 1 < sorted.length && sorted[j + 1]! < from + 3600) j++;
      const to = sorted[j]! + 60;
      const wanted = new Set(sorted.slice(i, j + 1));
      i = j + 1;
      const rows = await this.db
        .select({
          second: windows.second,
          count: windows.count,
          errConnect: windows.errConnect,
          errTimeout: windows.errTimeout,
          errHttp4xx: windows.errHttp4xx,
          errHttp5xx: windows.errHttp5xx,
          errAssertion: windows.errAssertion,
          dropped: windows.dropped,
          latency: windows.latency,
          failedLatency: windows.failedLatency,
          causes: windows.causes,
        })
        .from(windows)
        .where(
          and(
            eq(windows.runId, runId),
            eq(windows.step, step),
            gte(windows.second, from),
            lt(windows.second, to),
          ),
        );
      const acc = new Map<
        number,
        {
          rows: number;
          count: number;
          latency: ReturnType<typeof newHistogram>;
          failed: ReturnType<typeof newHistogram> | undefined;
          causes: CauseCounts;
        }
      >();
      for (const r of rows) {
        if (performance.now() - sliceStart > SLICE_MS) {
          await yieldToLoop();
          sliceStart = performance.now();
        }
        const minute = Math.floor(r.second / 60) * 60;
        if (!wanted.has(minute)) continue;
        let a = acc.get(minute);
        if (!a) {
          a = { rows: 0, count: 0, latency: newHistogram(), failed: undefined, causes: {} };
          acc.set(minute, a);
        }
        a.rows++;
        a.count += r.count;
        addEncoded(a.latency, r.latency);
        if (r.failedLatency) {
          a.failed ??= newHistogram();
          addEncoded(a.failed, r.failedLatency);
        }
        mergeCauses(
          a.causes,
          causesOf({
            step,
            ...(r.causes ? { causes: r.causes } : {}),
            dropped: r.dropped,
            errors: rowErrors(r),
          }),
        );
      }
      for (const [minute, a] of acc) {
        const m = merged(a.rows, a.count, a.latency, a.failed, a.causes);
        const key = keyOf(runId, step, minute);
        out.set(key, m);
        this.#set(key, m);
      }
    }
    return out;
  }

  #get(key: string): MergedMinute | undefined {
    const m = this.#cache.get(key);
    if (m) {
      // Re-inserted: Map order is the eviction order, oldest use first.
      this.#cache.delete(key);
      this.#cache.set(key, m);
    }
    return m;
  }

  #set(key: string, m: MergedMinute): void {
    const old = this.#cache.get(key);
    if (old) {
      this.#bytes -= old.bytes;
      this.#cache.delete(key);
    }
    if (m.bytes > this.#maxBytes) return;
    this.#cache.set(key, m);
    this.#bytes += m.bytes;
    for (const [k, v] of this.#cache) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#cache.delete(k);
      this.#bytes -= v.bytes;
    }
  }
}

/** A cache entry from merged histograms (encoded once, here). */
function merged(
  rows: number,
  count: number,
  latencyHistogram: ReturnType<typeof newHistogram>,
  failed: ReturnType<typeof newHistogram> | undefined,
  causes: CauseCounts,
): MergedMinute {
  const latency = encodeHistogram(latencyHistogram);
  const failedLatency = failed ? encodeHistogram(failed) : undefined;
  return {
    rows,
    count,
    latency,
    failedLatency,
    causes,
    bytes: 200 + latency.length * 2 + (failedLatency?.length ?? 0) * 2 + JSON.stringify(causes).length * 2,
  };
}

/** A slice from SQL sums and a merged entry. */
function sliceOf(g: MinuteSums, m: MergedMinute): Slice {
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

const summed = [
  "rows",
  "seconds",
  "count",
  "err_connect",
  "err_timeout",
  "err_http4xx",
  "err_http5xx",
  "err_assertion",
  "bytes",
  "target_rate",
  "achieved_rate",
  "dropped",
] as const;

/** The sums of several groups of one step (their minute: the first one's). */
function sumGroups(groups: ReadonlyArray<MinuteSums>): MinuteSums {
  const out = { ...groups[0]! };
  for (let i = 1; i < groups.length; i++) for (const k of summed) out[k] += groups[i]![k];
  return out;
}

interface MinuteSums {
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

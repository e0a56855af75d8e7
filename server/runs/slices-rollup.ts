import { sql } from "drizzle-orm";
import { type CauseCounts, mergeCauses } from "../../core/error-causes.ts";
import { addEncoded, newHistogram } from "../../core/histogram.ts";
import type { Window } from "../../core/window.ts";
import { loggableMessage } from "../../db/loggable-error.ts";
import type { Db } from "../../db/open.ts";
import { windows } from "../../db/schema/hub.ts";
import { SLICE_MS, yieldToLoop } from "../event-loop.ts";
import { BytesLru } from "./bytes-lru.ts";
import {
  HOUR,
  type MergedStretch,
  MergeStore,
  MINUTE,
  type StoredMerge,
  stretchBytes,
} from "./merge-store.ts";
import { MinuteFolds, type MinuteFoldsOptions } from "./minute-folds.ts";
import type { Slice } from "./slices.ts";
import { merged, mergeRawMinutes } from "./slices-merge.ts";
import type { SliceFilter } from "./slices-query.ts";
import { type MinuteSums, minuteSums, rawWhere, rowsOf, sliceOf, sumGroups } from "./slices-sums.ts";

/** A merge held in memory, with its approximate size. */
interface MergedMinute extends MergedStretch {
  bytes: number;
}

export interface MinuteRollupsOptions {
  /** Epoch milliseconds (the hub's clock). */
  now: () => number;
  /** Memory budget for merged minutes, bytes; least recently used ones go first. */
  maxBytes?: number;
  /** Milliseconds between background passes over freshly ingested minutes (0: none). */
  intervalMs?: number;
  /** Bounds of the merges made from windows as they are stored (see MinuteFolds). */
  folds?: MinuteFoldsOptions;
}

/** Seconds after a minute ends before the background pass merges it (late windows settle). */
const SETTLE_SECONDS = 10;

/** Merges the folds finished that are stored together. */
const SAVE_BATCH = 500;

const keyOf = (runId: string, step: string, minute: number) => `${runId}\u0000${step}\u0000${minute}`;
const hourKeyOf = (runId: string, step: string, hour: number) => `${runId}\u0000${step}\u0000h${hour}`;
const hourOf = (second: number) => Math.floor(second / HOUR) * HOUR;

/**
 * Per-minute roll-ups of raw windows for reading long runs: sums come from SQL over the raw rows
 * (no histogram leaves the database for them), merged histograms and causes from a cache bounded
 * in bytes, backed by the merges stored in the database (MergeStore), filled in the background as
 * windows arrive and, for what is missing, on read a slice at a time so the event loop is never
 * held for more than a few ms. Windows this hub stores are folded into their minute's merge as they
 * arrive (MinuteFolds), so a settled minute is encoded from memory; minutes it cannot fold are
 * merged from their raw rows. A merge is used only while its minute (or hour) still has the rows
 * and count it was merged from.
 */
export class MinuteRollups {
  readonly #cache: BytesLru<MergedMinute>;
  readonly #dirty = new Map<string, { runId: string; step: string; minute: number }>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  readonly #store: MergeStore;
  readonly #folds: MinuteFolds;
  /** Merges finished by the folds, waiting to be stored (for later reads and other replicas). */
  #toSave: Array<{ runId: string; merge: StoredMerge }> = [];
  #saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly options: MinuteRollupsOptions,
  ) {
    this.#store = new MergeStore(db);
    this.#cache = new BytesLru(options.maxBytes ?? 64 * 1024 * 1024);
    this.#folds = new MinuteFolds(
      {
        mergeOf: (runId, step, minute) => {
          const key = keyOf(runId, step, minute);
          return this.#dirty.has(key) ? "database" : this.#cache.peek(key);
        },
        finished: (runId, merge) => {
          this.#set(keyOf(runId, merge.step, merge.start), withBytes(merge));
          this.#toSave.push({ runId, merge });
          if (this.#toSave.length >= SAVE_BATCH) void this.#saveFinished();
        },
        fallBack: (runId, step, minute) =>
          this.#dirty.set(keyOf(runId, step, minute), { runId, step, minute }),
      },
      options.folds,
    );
    if ((options.intervalMs ?? 5000) > 0) {
      this.#timer = setInterval(() => {
        this.#running ??= this.mergeSettled().finally(() => {
          this.#running = undefined;
        });
      }, options.intervalMs ?? 5000);
      this.#timer.unref();
    }
  }

  /**
   * Takes freshly stored windows of one project: folded into their minutes' merges in the
   * background, and merged from the database once settled when they cannot be. Never blocks.
   */
  noteIngested(batch: ReadonlyArray<Window>, projectId: string): void {
    this.#folds.add(batch, projectId);
  }

  /**
   * Notes windows stored without passing through noteIngested (written by another process):
   * their minutes are merged from the database once settled. Never blocks.
   */
  noteStoredElsewhere(batch: ReadonlyArray<Pick<Window, "runId" | "step" | "second">>): void {
    for (const w of batch) {
      const minute = Math.floor(w.second / MINUTE) * MINUTE;
      this.#dirty.set(keyOf(w.runId, w.step, minute), { runId: w.runId, step: w.step, minute });
    }
  }

  /** Resolves once every window noted so far is folded (tests). */
  folded(): Promise<void> {
    return this.#folds.idle();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
    await this.#folds.stop();
    await this.#saveFinished();
  }

  /** Merges the noted minutes that ended SETTLE_SECONDS ago or more (background pass). */
  async mergeSettled(): Promise<void> {
    const settledBefore = Math.floor(this.options.now() / 1000) - 60 - SETTLE_SECONDS;
    await this.#folds.finishUpTo(settledBefore);
    await this.#saveFinished();
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
   * (SQL); histograms and causes come from the cache or the stored merges, merged now for minutes
   * that have neither.
   */
  async minuteSlices(runId: string, filter: SliceFilter): Promise<Slice[]> {
    const groups = await minuteSums(this.db, runId, filter);
    const merges = await this.#minuteMerges(runId, groups, filter);
    return groups.map((g) => sliceOf(g, merges.get(keyOf(runId, g.step, g.minute))!));
  }

  /**
   * The run's raw windows as one slice per (step, hour), for totals that need no finer grain
   * (run detail, report tables): the same sums, and histograms merged from the minutes' merges,
   * so percentiles stay exact while a read decodes tens of histograms instead of thousands. An
   * hour's merge is cached and stored, and used while the hour still has the rows and count it
   * came from; minutes are looked at only for hours without one.
   */
  async hourSlices(runId: string, filter: SliceFilter): Promise<Slice[]> {
    return this.#hours(runId, filter, await minuteSums(this.db, runId, filter));
  }

  /** Both minuteSlices and hourSlices of one read (the database is asked once). */
  async minuteAndHourSlices(
    runId: string,
    filter: SliceFilter,
  ): Promise<{ minutes: Slice[]; hours: Slice[] }> {
    const groups = await minuteSums(this.db, runId, filter);
    const merges = await this.#minuteMerges(runId, groups, filter);
    return {
      minutes: groups.map((g) => sliceOf(g, merges.get(keyOf(runId, g.step, g.minute))!)),
      hours: await this.#hours(runId, filter, groups, merges),
    };
  }

  async #hours(
    runId: string,
    filter: SliceFilter,
    groups: ReadonlyArray<MinuteSums>,
    minuteMerges?: ReadonlyMap<string, MergedStretch>,
  ): Promise<Slice[]> {
    const byHour = new Map<string, MinuteSums[]>();
    for (const g of groups) {
      const key = hourKeyOf(runId, g.step, hourOf(g.minute));
      const list = byHour.get(key);
      if (list) list.push(g);
      else byHour.set(key, [g]);
    }
    const hours = [...byHour].map(([key, list]) => ({
      key,
      list,
      sums: { ...sumGroups(list), minute: hourOf(list[0]!.minute) },
    }));
    // Only a whole hour's merge is kept: a filter that cuts an hour would overwrite it with a part.
    const whole = (hour: number) =>
      (filter.from ?? hour) <= hour && (filter.to ?? hour + HOUR) >= hour + HOUR - 1;
    const found = await this.#fresh(
      runId,
      HOUR,
      filter,
      hours.map(({ key, sums }) => ({ key, sums })),
    );
    const stale = hours.filter(({ key }) => !found.has(key));
    if (stale.length > 0) {
      // Stored minutes are read for the stale hours only (of a live run: the current one).
      const first = Math.min(...stale.map(({ sums }) => sums.minute));
      const last = Math.max(...stale.map(({ sums }) => sums.minute)) + HOUR - 1;
      const minutes =
        minuteMerges ??
        (await this.#minuteMerges(
          runId,
          stale.flatMap(({ list }) => list),
          { ...filter, from: Math.max(first, filter.from ?? first), to: Math.min(last, filter.to ?? last) },
        ));
      const toStore: StoredMerge[] = [];
      let sliceStart = performance.now();
      for (const { key, list, sums } of stale) {
        const latency = newHistogram();
        let failed: ReturnType<typeof newHistogram> | undefined;
        const causes: CauseCounts = {};
        for (const g of list) {
          if (performance.now() - sliceStart > SLICE_MS) {
            await yieldToLoop();
            sliceStart = performance.now();
          }
          const m = minutes.get(keyOf(runId, g.step, g.minute))!;
          addEncoded(latency, m.latency);
          if (m.failedLatency) {
            failed ??= newHistogram();
            addEncoded(failed, m.failedLatency);
          }
          mergeCauses(causes, m.causes);
        }
        const projectId = minutes.get(keyOf(runId, list[0]!.step, list[0]!.minute))!.projectId;
        const m = withBytes(merged(projectId, sums.rows, sums.count, latency, failed, causes));
        found.set(key, m);
        if (!whole(sums.minute)) continue;
        this.#set(key, m);
        toStore.push({ ...m, step: sums.step, span: HOUR, start: sums.minute });
      }
      await this.#save(runId, toStore);
    }
    return hours.map(({ key, sums }) => sliceOf(sums, found.get(key)!));
  }

  /**
   * The merge of every given (step, minute): from the cache, else the stored merges, else made
   * now from the raw rows (and stored). Keyed by keyOf.
   */
  async #minuteMerges(
    runId: string,
    groups: ReadonlyArray<MinuteSums>,
    filter: SliceFilter,
  ): Promise<Map<string, MergedStretch>> {
    const found = await this.#fresh(
      runId,
      MINUTE,
      filter,
      groups.map((g) => ({ key: keyOf(runId, g.step, g.minute), sums: g })),
    );
    const missing = new Map<string, number[]>();
    for (const g of groups) {
      if (found.has(keyOf(runId, g.step, g.minute))) continue;
      const list = missing.get(g.step) ?? [];
      list.push(g.minute);
      missing.set(g.step, list);
    }
    for (const [step, minutes] of missing) {
      for (const [key, m] of await this.#merge(runId, step, minutes)) found.set(key, m);
    }
    return found;
  }

  /**
   * The merges, cached or stored, that still match the given sums (same rows and count). The
   * stored ones are read only when the cache lacks some, in one query.
   */
  async #fresh(
    runId: string,
    span: number,
    filter: SliceFilter,
    wanted: ReadonlyArray<{ key: string; sums: Pick<MinuteSums, "rows" | "count"> }>,
  ): Promise<Map<string, MergedStretch>> {
    const matches = (m: MergedStretch | undefined, sums: Pick<MinuteSums, "rows" | "count">) =>
      m !== undefined && m.rows === sums.rows && m.count === sums.count;
    const found = new Map<string, MergedStretch>();
    const missing = new Map<string, Pick<MinuteSums, "rows" | "count">>();
    for (const { key, sums } of wanted) {
      const m = this.#get(key);
      if (matches(m, sums)) found.set(key, m!);
      else missing.set(key, sums);
    }
    if (missing.size === 0) return found;
    const toKey = span === HOUR ? hourKeyOf : keyOf;
    for (const stored of await this.#store.load(runId, span, filter)) {
      const key = toKey(runId, stored.step, stored.start);
      const sums = missing.get(key);
      if (!sums || !matches(stored, sums)) continue;
      const m = withBytes(stored);
      found.set(key, m);
      this.#set(key, m);
    }
    return found;
  }

  /** Stores the merges the folds finished, one save after another. */
  #saveFinished(): Promise<void> {
    const list = this.#toSave;
    this.#toSave = [];
    if (list.length === 0) return this.#saving;
    const byRun = new Map<string, StoredMerge[]>();
    for (const { runId, merge } of list) {
      const merges = byRun.get(runId);
      if (merges) merges.push(merge);
      else byRun.set(runId, [merge]);
    }
    this.#saving = this.#saving.then(async () => {
      for (const [runId, merges] of byRun) await this.#save(runId, merges);
    });
    return this.#saving;
  }

  /** Stores merges for later reads and other replicas; a failure only costs a later read a merge. */
  async #save(runId: string, merges: ReadonlyArray<StoredMerge>): Promise<void> {
    try {
      await this.#store.save(runId, merges);
    } catch (error) {
      console.error(`run ${runId}: storing merged windows failed: ${loggableMessage(error)}`);
    }
  }

  /** Merges the given minutes of one step from their raw rows, then caches and stores them. */
  async #merge(runId: string, step: string, minutes: number[]): Promise<Map<string, MergedMinute>> {
    const out = new Map<string, MergedMinute>();
    await mergeRawMinutes(this.db, runId, step, minutes, async (merges) => {
      for (const stored of merges) {
        const key = keyOf(runId, step, stored.start);
        const m = withBytes(stored);
        out.set(key, m);
        this.#set(key, m);
      }
      await this.#save(runId, merges);
    });
    return out;
  }

  #get(key: string): MergedMinute | undefined {
    return this.#cache.get(key);
  }

  #set(key: string, m: MergedMinute): void {
    this.#cache.set(key, m, m.bytes);
  }
}

/** A merge with its approximate size in memory (only what the cache keeps). */
function withBytes(m: MergedStretch): MergedMinute {
  return {
    projectId: m.projectId,
    rows: m.rows,
    count: m.count,
    latency: m.latency,
    failedLatency: m.failedLatency,
    causes: m.causes,
    bytes: stretchBytes(m),
  };
}

import { type CauseCounts, mergeCauses } from "../../core/error-causes.ts";
import { addChecked, addEncoded, type Histogram, newHistogram } from "../../core/histogram.ts";
import { causesOf, type Window } from "../../core/window.ts";
import { SLICE_MS, yieldToLoop } from "../event-loop.ts";
import { type MergedStretch, MINUTE, type StoredMerge } from "./merge-store.ts";
import { merged } from "./slices-merge.ts";

export interface MinuteFoldsOptions {
  /** Minutes folded at once at most (each holds a ~94 KB histogram); the least recently fed is finished first. */
  maxOpen?: number;
  /** Stored windows waiting to be folded at most; past it, their minutes are merged from the database. */
  maxPending?: number;
  /** Workers in one minute's fold at most (its replay check keeps 60 bytes per worker). */
  maxWorkersPerMinute?: number;
}

/** What a fold reads of a stored window. */
export type FoldWindow = Pick<
  Window,
  | "runId"
  | "step"
  | "worker"
  | "second"
  | "count"
  | "errors"
  | "dropped"
  | "latency"
  | "failedLatency"
  | "causes"
>;

/** What a MinuteFolds reports back to its owner. */
export interface MinuteFoldsSink {
  /**
   * The merge already made of this minute, to go on from when later windows arrive; "database"
   * when the minute waits for a database merge (its windows are not folded then).
   */
  mergeOf(runId: string, step: string, minute: number): MergedStretch | "database" | undefined;
  /** A minute's merge is done (its minute settled, or its fold made room for others). */
  finished(runId: string, merge: StoredMerge): void;
  /** The windows given for this minute cannot be folded here: merge it from the database instead. */
  fallBack(runId: string, step: string, minute: number): void;
}

interface Fold {
  projectId: string;
  runId: string;
  step: string;
  minute: number;
  rows: number;
  count: number;
  latency: Histogram;
  failed: Histogram | undefined;
  causes: CauseCounts;
  /** Seconds of the minute folded, per worker: a second window for one of them is a replay. */
  seen: Map<string, Uint8Array>;
}

const keyOf = (runId: string, step: string, minute: number) => `${runId}\u0000${step}\u0000${minute}`;

/** Histograms of newHistogram()'s geometry handed out cleared; a resized one is not taken back. */
class HistogramPool {
  readonly #free: Histogram[] = [];
  static readonly #length = (newHistogram() as unknown as { countsArrayLength: number }).countsArrayLength;

  constructor(private readonly max: number) {}

  take(): Histogram {
    return this.#free.pop() ?? newHistogram();
  }

  give(h: Histogram | undefined): void {
    if (h === undefined || this.#free.length >= this.max) return;
    if ((h as unknown as { countsArrayLength: number }).countsArrayLength !== HistogramPool.#length) return;
    h.reset();
    this.#free.push(h);
  }
}

/**
 * Per-minute merges made from windows as they are stored, so a settled minute is encoded from
 * memory instead of being read back from the database and decoded again. Each window is decoded
 * once, a slice of SLICE_MS at a time after the replies of its batch. A minute is handed back to
 * the database merge (sink.fallBack) whenever memory could make it wrong or unbounded: a replayed
 * window (its row was replaced, not added), another project's window, too many windows, or
 * windows arriving faster than they are folded. Whoever reads a merge still checks its rows and
 * count against the stored windows, so windows stored by another replica are never missed.
 */
export class MinuteFolds {
  readonly #open = new Map<string, Fold>();
  #pending: Array<{ windows: ReadonlyArray<FoldWindow>; projectId: string }> = [];
  #pendingWindows = 0;
  #running: Promise<void> | undefined;
  #stopped = false;
  readonly #pool: HistogramPool;
  readonly #maxOpen: number;
  readonly #maxPending: number;
  readonly #maxWorkers: number;

  constructor(
    private readonly sink: MinuteFoldsSink,
    options: MinuteFoldsOptions = {},
  ) {
    this.#maxOpen = options.maxOpen ?? 256;
    this.#maxPending = options.maxPending ?? 50_000;
    this.#maxWorkers = options.maxWorkersPerMinute ?? 1000;
    this.#pool = new HistogramPool(Math.ceil(this.#maxOpen / 2));
  }

  /** Minutes being folded now. */
  get open(): number {
    return this.#open.size;
  }

  /** Takes stored windows of one project to fold; never blocks (the folding runs later, in slices). */
  add(windows: ReadonlyArray<FoldWindow>, projectId: string): void {
    if (this.#stopped || windows.length === 0) return;
    if (this.#pendingWindows + windows.length > this.#maxPending) {
      for (const w of windows) this.#fallBack(w.runId, w.step, minuteOf(w.second));
      return;
    }
    this.#pending.push({ windows, projectId });
    this.#pendingWindows += windows.length;
    this.#running ??= this.#drain().finally(() => {
      this.#running = undefined;
    });
  }

  /** Resolves when every window taken so far is folded. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /**
   * Finishes the folds of minutes that started at or before `minute` (they have settled), giving
   * the event loop a turn every SLICE_MS.
   */
  async finishUpTo(minute: number): Promise<void> {
    let sliceStart = performance.now();
    for (const fold of [...this.#open.values()]) {
      if (fold.minute > minute || this.#open.get(keyOf(fold.runId, fold.step, fold.minute)) !== fold)
        continue;
      if (performance.now() - sliceStart > SLICE_MS) {
        await yieldToLoop();
        sliceStart = performance.now();
      }
      this.#finish(fold);
    }
  }

  /** Drops what is pending and open; later windows are ignored. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#pending = [];
    this.#pendingWindows = 0;
    await this.#running;
    this.#open.clear();
  }

  async #drain(): Promise<void> {
    // Not on the path of the request that stored the windows: after the replies of this turn.
    await yieldToLoop();
    let sliceStart = performance.now();
    while (this.#pending.length > 0 && !this.#stopped) {
      const { windows, projectId } = this.#pending.shift()!;
      this.#pendingWindows -= windows.length;
      for (const w of windows) {
        if (performance.now() - sliceStart > SLICE_MS) {
          await yieldToLoop();
          sliceStart = performance.now();
          if (this.#stopped) return;
        }
        this.#fold(w, projectId);
      }
    }
  }

  #fold(w: FoldWindow, projectId: string): void {
    const minute = minuteOf(w.second);
    const key = keyOf(w.runId, w.step, minute);
    let fold = this.#open.get(key);
    if (fold) {
      // Map order is the order in which folds finish when room is needed: least recently fed first.
      this.#open.delete(key);
    } else {
      fold = this.#start(w.runId, w.step, minute, projectId);
      if (fold === undefined) return;
    }
    let seconds = fold.seen.get(w.worker);
    if (seconds === undefined && fold.seen.size < this.#maxWorkers) {
      seconds = new Uint8Array(MINUTE);
      fold.seen.set(w.worker, seconds);
    }
    if (fold.projectId !== projectId || seconds === undefined || seconds[w.second - minute] === 1) {
      this.#release(fold);
      this.#fallBack(w.runId, w.step, minute);
      return;
    }
    seconds[w.second - minute] = 1;
    fold.rows++;
    fold.count += w.count;
    try {
      addChecked(fold.latency, w.latency);
      if (w.failedLatency) {
        fold.failed ??= this.#pool.take();
        addChecked(fold.failed, w.failedLatency);
      }
    } catch {
      // Ingest checked the encoding; one that still fails to decode is left to the database merge.
      this.#release(fold);
      this.#fallBack(w.runId, w.step, minute);
      return;
    }
    mergeCauses(fold.causes, causesOf(w));
    this.#open.set(key, fold);
    if (this.#open.size > this.#maxOpen) this.#finish(this.#open.values().next().value!);
  }

  /** A fold for a minute, going on from its earlier merge when there is one; undefined: fall back. */
  #start(runId: string, step: string, minute: number, projectId: string): Fold | undefined {
    const fold: Fold = {
      projectId,
      runId,
      step,
      minute,
      rows: 0,
      count: 0,
      latency: this.#pool.take(),
      failed: undefined,
      causes: {},
      seen: new Map(),
    };
    const earlier = this.sink.mergeOf(runId, step, minute);
    if (earlier === undefined) return fold;
    // Windows folded before are not remembered: a replay of one of them is caught by the rows check.
    if (earlier !== "database" && earlier.projectId === projectId) {
      try {
        addEncoded(fold.latency, earlier.latency);
        if (earlier.failedLatency) {
          fold.failed = this.#pool.take();
          addEncoded(fold.failed, earlier.failedLatency);
        }
        fold.rows = earlier.rows;
        fold.count = earlier.count;
        mergeCauses(fold.causes, earlier.causes);
        return fold;
      } catch {
        // A merge that does not decode is not gone on from.
      }
    }
    this.#release(fold);
    this.#fallBack(runId, step, minute);
    return undefined;
  }

  #finish(fold: Fold): void {
    this.#open.delete(keyOf(fold.runId, fold.step, fold.minute));
    this.sink.finished(fold.runId, {
      ...merged(fold.projectId, fold.rows, fold.count, fold.latency, fold.failed, fold.causes),
      step: fold.step,
      span: MINUTE,
      start: fold.minute,
    });
    this.#release(fold);
  }

  #release(fold: Fold): void {
    this.#open.delete(keyOf(fold.runId, fold.step, fold.minute));
    this.#pool.give(fold.latency);
    this.#pool.give(fold.failed);
  }

  #fallBack(runId: string, step: string, minute: number): void {
    const open = this.#open.get(keyOf(runId, step, minute));
    if (open) this.#release(open);
    this.sink.fallBack(runId, step, minute);
  }
}

const minuteOf = (second: number) => Math.floor(second / MINUTE) * MINUTE;

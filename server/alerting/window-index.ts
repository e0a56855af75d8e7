import {
  addEncoded,
  decodedBytes,
  type Histogram,
  newHistogram,
  subtractEncoded,
} from "../../core/histogram.ts";
import type { WindowSample } from "./data.ts";
import { type Cell, cellOf, compareIds, type SpanAggregate, spanRates } from "./window-cells.ts";

/** Running sums of one series over [from, until) for one span length. */
interface Running {
  from: number;
  until: number;
  count: number;
  errorCount: number;
  dropped: number;
  latencySeconds: number;
  /** Seconds with at least one window. */
  cells: number;
  /** The merged latency of the span, kept once a rule asked for it. */
  histogram: Histogram | null;
}

interface Series {
  runId: string;
  step: string;
  workers: Map<number, Map<string, WindowSample>>;
  cells: Map<number, Cell>;
  /** By span length in seconds. */
  running: Map<number, Running>;
}

/** Default budget of the running merged histograms (each ~94 KB), bytes. */
const DEFAULT_HISTOGRAM_BYTES = 64 * 1024 * 1024;

function sameSample(a: WindowSample, b: WindowSample): boolean {
  return (
    a.count === b.count &&
    a.errorCount === b.errorCount &&
    a.dropped === b.dropped &&
    a.targetRate === b.targetRate &&
    a.achievedRate === b.achievedRate &&
    a.target === b.target &&
    a.latency === b.latency
  );
}

/**
 * Windows of the recent past indexed by series (run and step) and second, with running sums per
 * span length: an evaluation pass adds the seconds that entered each span and takes out those that
 * left it (histograms too: subtractEncoded), instead of re-merging whole spans. A window replayed
 * or arriving late updates the spans that hold its second. Results equal a full evaluation
 * exactly: integer counts and histogram counts are exact under add and subtract, and rate sums
 * are re-summed from per-second cells in second order, the order the full evaluation uses.
 * Merged histograms are bounded in bytes (least recently used dropped, rebuilt on demand).
 */
export class WindowIndex {
  readonly #series = new Map<string, Series>();
  readonly #byStep = new Map<string, Set<Series>>();
  /** Runnings holding a histogram, least recently used first. */
  readonly #histograms = new Map<Running, number>();
  #histogramBytes = 0;

  constructor(private readonly maxHistogramBytes = DEFAULT_HISTOGRAM_BYTES) {}

  /** Windows held. */
  get size(): number {
    let n = 0;
    for (const s of this.#series.values()) for (const w of s.workers.values()) n += w.size;
    return n;
  }

  /** Bytes held by running merged histograms (never above the budget, but for one in use). */
  get histogramBytes(): number {
    return this.#histogramBytes;
  }

  /** Adds or replaces a window (keyed by run, step, worker, second); a replay with equal content is free. */
  upsert(w: WindowSample): void {
    const series = this.#seriesOf(w.runId, w.step);
    let workers = series.workers.get(w.second);
    if (!workers) {
      workers = new Map();
      series.workers.set(w.second, workers);
    }
    const old = workers.get(w.worker);
    if (old && sameSample(old, w)) return;
    workers.set(w.worker, w);
    this.#recell(series, w.second, workers);
  }

  /** Removes a window (it left the evaluated span or the table). */
  remove(w: Pick<WindowSample, "runId" | "step" | "worker" | "second">): void {
    const series = this.#series.get(`${w.step}\u0000${w.runId}`);
    const workers = series?.workers.get(w.second);
    if (!series || !workers?.delete(w.worker)) return;
    this.#recell(series, w.second, workers);
  }

  /** Forgets every window before `second`, and the running sums that reached back that far. */
  evictBefore(second: number): void {
    for (const [key, series] of this.#series) {
      for (const s of series.workers.keys()) {
        if (s >= second) continue;
        series.workers.delete(s);
        series.cells.delete(s);
      }
      for (const [span, r] of series.running) {
        if (r.from < second) this.#dropRunning(series, span, r);
      }
      if (series.workers.size === 0) {
        this.#series.delete(key);
        this.#byStep.get(series.step)?.delete(series);
      }
    }
  }

  /**
   * Every run's sums over [from, until) for `step`, by run id in code-unit order (runs without a
   * window there are left out).
   */
  aggregates(step: string, from: number, until: number): Map<string, SpanAggregate> {
    const out = new Map<string, SpanAggregate>();
    const ordered = [...(this.#byStep.get(step) ?? [])].sort((a, b) => compareIds(a.runId, b.runId));
    for (const series of ordered) {
      const r = this.#advance(series, from, until, false);
      if (r.cells === 0) continue;
      const rates = spanRates((s) => series.cells.get(s), from, until);
      out.set(series.runId, {
        target: rates.target,
        count: r.count,
        errorCount: r.errorCount,
        targetRate: rates.targetRate,
        achievedRate: rates.achievedRate,
        dropped: r.dropped,
        latencySeconds: r.latencySeconds,
      });
    }
    return out;
  }

  /** The merged latency histogram of one run's step over [from, until). Do not modify it. */
  latency(runId: string, step: string, from: number, until: number): Histogram {
    const series = this.#seriesOf(runId, step);
    const r = this.#advance(series, from, until, true);
    return r.histogram!;
  }

  #seriesOf(runId: string, step: string): Series {
    const key = `${step}\u0000${runId}`;
    let series = this.#series.get(key);
    if (!series) {
      series = { runId, step, workers: new Map(), cells: new Map(), running: new Map() };
      this.#series.set(key, series);
      let set = this.#byStep.get(step);
      if (!set) {
        set = new Set();
        this.#byStep.set(step, set);
      }
      set.add(series);
    }
    return series;
  }

  /** Rebuilds a second's cell and moves the difference into every running span that holds it. */
  #recell(series: Series, second: number, workers: Map<string, WindowSample>): void {
    const before = series.cells.get(second);
    const after = workers.size > 0 ? cellOf([...workers.values()]) : undefined;
    if (after) series.cells.set(second, after);
    else {
      series.cells.delete(second);
      series.workers.delete(second);
    }
    for (const r of series.running.values()) {
      if (second < r.from || second >= r.until) continue;
      if (before) this.#take(r, before);
      if (after) this.#put(r, after);
    }
  }

  #put(r: Running, cell: Cell): void {
    r.count += cell.count;
    r.errorCount += cell.errorCount;
    r.dropped += cell.dropped;
    r.cells++;
    if (cell.latencies.length > 0) r.latencySeconds++;
    if (r.histogram) for (const encoded of cell.latencies) addEncoded(r.histogram, encoded);
  }

  #take(r: Running, cell: Cell): void {
    r.count -= cell.count;
    r.errorCount -= cell.errorCount;
    r.dropped -= cell.dropped;
    r.cells--;
    if (cell.latencies.length > 0) r.latencySeconds--;
    if (r.histogram) for (const encoded of cell.latencies) subtractEncoded(r.histogram, encoded);
  }

  /**
   * The running sums of `series` over [from, until): moved forward by the seconds that entered
   * and left since the last call (rebuilt when the span jumped back or past its old end).
   */
  #advance(series: Series, from: number, until: number, withHistogram: boolean): Running {
    const span = until - from;
    let r = series.running.get(span);
    if (r && (from < r.from || from >= r.until)) {
      this.#dropRunning(series, span, r);
      r = undefined;
    }
    if (!r) {
      r = {
        from,
        until: from,
        count: 0,
        errorCount: 0,
        dropped: 0,
        latencySeconds: 0,
        cells: 0,
        histogram: null,
      };
      series.running.set(span, r);
    }
    if (withHistogram && !r.histogram) {
      r.histogram = newHistogram();
      for (let s = r.from; s < r.until; s++) {
        const cell = series.cells.get(s);
        if (cell) for (const encoded of cell.latencies) addEncoded(r.histogram, encoded);
      }
    }
    for (let s = r.from; s < from; s++) {
      const cell = series.cells.get(s);
      if (cell) this.#take(r, cell);
    }
    for (let s = r.until; s < until; s++) {
      const cell = series.cells.get(s);
      if (cell) this.#put(r, cell);
    }
    r.from = from;
    r.until = until;
    if (r.histogram) this.#touchHistogram(r);
    return r;
  }

  #touchHistogram(r: Running): void {
    const known = this.#histograms.get(r);
    const bytes = decodedBytes(r.histogram!);
    this.#histograms.delete(r);
    this.#histograms.set(r, bytes);
    this.#histogramBytes += bytes - (known ?? 0);
    for (const [other, otherBytes] of this.#histograms) {
      if (this.#histogramBytes <= this.maxHistogramBytes || other === r) break;
      other.histogram = null;
      this.#histograms.delete(other);
      this.#histogramBytes -= otherBytes;
    }
  }

  #dropRunning(series: Series, span: number, r: Running): void {
    series.running.delete(span);
    const bytes = this.#histograms.get(r);
    if (bytes !== undefined) {
      this.#histograms.delete(r);
      this.#histogramBytes -= bytes;
    }
  }
}

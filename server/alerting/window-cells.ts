import type { WindowSample } from "./data.ts";

/** One second of one series (run and step) summed across its workers. */
export interface Cell {
  count: number;
  errorCount: number;
  dropped: number;
  targetRate: number;
  achievedRate: number;
  /** The run's target as the last worker (by name) reported it. */
  target: string;
  /** Latency encodings of the workers with requests, in worker-name order. */
  latencies: string[];
}

/** Sums over the seconds of a span of one series: what rules over windows measure. */
export interface SpanAggregate {
  /** The target of the span's latest second. */
  target: string;
  count: number;
  errorCount: number;
  targetRate: number;
  achievedRate: number;
  dropped: number;
  /** Seconds in the span with at least one latency histogram. */
  latencySeconds: number;
}

/** Code-unit order of ids (runs, workers), the same in every locale. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const byWorker = (a: WindowSample, b: WindowSample) => compareIds(a.worker, b.worker);

/**
 * Sums one second's windows (one per worker) in worker-name order, so the floating-point rate
 * sums come out bit for bit the same however the windows arrived. Sorts `windows` in place.
 */
export function cellOf(windows: WindowSample[]): Cell {
  windows.sort(byWorker);
  const cell: Cell = {
    count: 0,
    errorCount: 0,
    dropped: 0,
    targetRate: 0,
    achievedRate: 0,
    target: "",
    latencies: [],
  };
  for (const w of windows) {
    cell.count += w.count;
    cell.errorCount += w.errorCount;
    cell.dropped += w.dropped;
    cell.targetRate += w.targetRate;
    cell.achievedRate += w.achievedRate;
    cell.target = w.target;
    if (w.latency && w.count > 0) cell.latencies.push(w.latency);
  }
  return cell;
}

/**
 * The rate sums and target of a span, from its cells, seconds in ascending order (the order
 * both the full and the incremental evaluation use, so their floating-point sums agree).
 * Integer sums are left to the caller.
 */
export function spanRates(
  cellAt: (second: number) => Cell | undefined,
  from: number,
  until: number,
): { targetRate: number; achievedRate: number; target: string } {
  let targetRate = 0;
  let achievedRate = 0;
  let target = "";
  for (let s = from; s < until; s++) {
    const cell = cellAt(s);
    if (!cell) continue;
    targetRate += cell.targetRate;
    achievedRate += cell.achievedRate;
    target = cell.target;
  }
  return { targetRate, achievedRate, target };
}

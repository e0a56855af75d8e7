import type { Window } from "../../core/window.ts";
import type { WindowSink } from "../window-aggregator.ts";

/**
 * Joins the windows of a split run's workers second by second: a second goes to the sinks
 * once every worker still running has sent it (a worker emits each second once, all its steps
 * together, in order), or once it is `maxWaitMs` old, so a slow or dead worker never holds the others back.
 * A sink thus sees each second of the whole run once, with every worker's windows in it.
 */
export class SecondMerger {
  private readonly pending = new Map<number, Window[]>();
  /** Highest second each worker has sent; absent until its first windows. */
  private readonly newest = new Map<string, number>();
  private readonly live: Set<string>;
  /** Wall time spent handing seconds to the sinks (the merge itself), ms. */
  mergeMs = 0;

  constructor(
    workers: ReadonlyArray<string>,
    private readonly sinks: ReadonlyArray<WindowSink>,
    private readonly maxWaitMs = 4000,
  ) {
    this.live = new Set(workers);
  }

  accept(worker: string, windows: ReadonlyArray<Window>, nowMs: number): void {
    for (const w of windows) {
      // A window of a second already released (only after a timeout) still goes out, on its own.
      const list = this.pending.get(w.second) ?? [];
      list.push(w);
      this.pending.set(w.second, list);
      this.newest.set(worker, Math.max(this.newest.get(worker) ?? w.second, w.second));
    }
    this.release(nowMs);
  }

  /** The newest second `worker` has sent windows for. */
  newestSecond(worker: string): number | undefined {
    return this.newest.get(worker);
  }

  /** The worker sends nothing more (it finished or died): nobody waits for it. */
  ended(worker: string, nowMs: number): void {
    this.live.delete(worker);
    this.release(nowMs);
  }

  /** Hands over every second that is complete or too old; all of them when `final`. */
  release(nowMs: number, final = false): void {
    let complete = Number.POSITIVE_INFINITY;
    for (const w of this.live) complete = Math.min(complete, this.newest.get(w) ?? Number.NEGATIVE_INFINITY);
    const seconds = [...this.pending.keys()].sort((a, b) => a - b);
    const out: Window[] = [];
    for (const second of seconds) {
      if (!final && second > complete && (second + 1) * 1000 + this.maxWaitMs > nowMs) break;
      out.push(...this.pending.get(second)!);
      this.pending.delete(second);
    }
    if (out.length === 0) return;
    const started = performance.now();
    for (const sink of this.sinks) sink.accept(out);
    this.mergeMs += performance.now() - started;
  }
}

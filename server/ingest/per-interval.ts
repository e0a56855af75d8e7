import { loggable } from "../../db/loggable-error.ts";

export interface PerIntervalOptions<T, S> {
  /** Least time between two drains, ms. */
  intervalMs: number;
  /** A fresh, empty accumulator. */
  start: () => S;
  /** Folds one item into the accumulator (e.g. keeps the latest second per worker). */
  add: (state: S, item: T) => void;
  /** Writes what accumulated; a rejection is logged and that accumulator dropped. */
  drain: (state: S) => Promise<void> | void;
  /** What a failed drain is reported as (default: `ingest: …` on stderr). */
  onError?: (error: unknown) => void;
}

export interface PerInterval<T> {
  add(items: ReadonlyArray<T>): void;
  /** Drains what waits now, without waiting for the interval (the hub is closing). */
  flush(): Promise<void>;
}

/**
 * For work whose rate must not follow the ingest rate: items from many calls are folded into one
 * accumulator and drained at most once per `intervalMs`. After a quiet spell the first items go
 * on the next turn; later ones wait until the interval since the last drain has passed. So at
 * 20,000 windows/s a worker heartbeat or a cluster notice is one statement per interval, not one
 * per group commit, and a single batch still goes out at once. Never throws to the caller.
 */
export function perInterval<T, S>(options: PerIntervalOptions<T, S>): PerInterval<T> {
  const { intervalMs, start, add, drain } = options;
  const onError =
    options.onError ??
    ((error: unknown) => console.error("ingest: work after storing failed:", loggable(error)));
  let state: S | undefined;
  let timer: NodeJS.Timeout | undefined;
  let lastDrain = Number.NEGATIVE_INFINITY;

  const run = async (): Promise<void> => {
    timer = undefined;
    const taken = state;
    state = undefined;
    if (taken === undefined) return;
    lastDrain = performance.now();
    try {
      await drain(taken);
    } catch (error) {
      onError(error);
    }
  };

  return {
    add(items) {
      if (items.length === 0) return;
      state ??= start();
      for (const item of items) add(state, item);
      if (timer !== undefined) return;
      const wait = Math.max(0, lastDrain + intervalMs - performance.now());
      timer = setTimeout(() => void run(), wait);
    },
    flush() {
      if (timer !== undefined) clearTimeout(timer);
      return run();
    },
  };
}

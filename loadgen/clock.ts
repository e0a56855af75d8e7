/** Time source of the generator, injected so schedules and windows can be tested. */
export interface Clock {
  /** Unix epoch milliseconds with sub-millisecond precision; monotonic within a process. */
  now(): number;
}

/** Read once: each read of performance.timeOrigin is a call into the runtime (~60 ns). */
const timeOrigin = performance.timeOrigin;

/** performance.now() anchored at the process's time origin: monotonic, unlike Date.now(). */
export const systemClock: Clock = {
  now: () => timeOrigin + performance.now(),
};

/** Resolves after `ms`, early (without throwing) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

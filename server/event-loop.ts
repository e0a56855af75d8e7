/**
 * Long synchronous work on the hub (validating a window batch, merging histograms) gives the
 * event loop a turn every SLICE_MS, so requests and timers never wait behind it for long.
 */

/** Longest stretch of synchronous work between two turns of the event loop, ms. */
export const SLICE_MS = 4;

/** Resolves after pending I/O callbacks have run. */
export const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Restart delays for a crashing child: doubling from `initialMs` to `maxMs`, reset after a stable run. */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** A child that ran at least this long before exiting starts again from `initialMs`. */
  stableAfterMs: number;
}

export const defaultBackoff: BackoffOptions = { initialMs: 250, maxMs: 15_000, stableAfterMs: 30_000 };

/** The delay before the next restart, given how many quick crashes came before and how long the last run lasted. */
export function nextDelay(options: BackoffOptions, quickCrashes: number, ranForMs: number): number {
  if (ranForMs >= options.stableAfterMs) return options.initialMs;
  return Math.min(options.maxMs, options.initialMs * 2 ** quickCrashes);
}

import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * A full garbage collection, run once between the warm-up and the start instant: the start-up's
 * garbage (modules compiled, profile parsed, connections opened) is collected then, not by the
 * run's first collections, which otherwise copy or mark it while arrivals are due (a pause that
 * shows as scheduling lag and latency). `gc` is exposed to a throwaway context only, as
 * jest-leak-detector does; without it (a runtime that refuses the flag) this does nothing.
 */
export function collectStartupGarbage(): void {
  try {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("typeof gc === 'function' ? gc : undefined") as (() => void) | undefined;
    gc?.();
  } catch {
    // Not collecting only leaves that pause in the run, as before.
  }
}

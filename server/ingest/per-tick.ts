import { loggable } from "../../db/loggable-error.ts";

/**
 * Collects items from many calls and hands them to `drain` once per event-loop turn
 * (setImmediate): work that follows a stored batch (live push, roll-up bookkeeping, cluster
 * notices, alert triggers) leaves the request's path and is done once for every batch stored in
 * that turn. Never throws to the caller; a failing drain is logged and the next turn goes on.
 */
export function perTick<T>(drain: (items: T[]) => void): (items: ReadonlyArray<T>) => void {
  let pending: T[] = [];
  let scheduled = false;
  const run = () => {
    scheduled = false;
    const items = pending;
    pending = [];
    try {
      drain(items);
    } catch (error) {
      console.error("ingest: work after storing failed:", loggable(error));
    }
  };
  return (items) => {
    for (const item of items) pending.push(item);
    if (!scheduled) {
      scheduled = true;
      setImmediate(run);
    }
  };
}

import type { FaultChange } from "./faults.ts";

/**
 * One line naming the switches already on when a run started (GET /faults/changes `active`):
 * "Faults on at start: latency on (fixedMs=150) since 12:01:03, by ops@shop.test", or null when
 * none was. `time` formats epoch ms (local time in the dashboard, ISO in report.html).
 */
export function faultsAtStartText(
  active: ReadonlyArray<FaultChange>,
  time: (ms: number) => string,
): string | null {
  if (active.length === 0) return null;
  const each = active.map(
    (c) =>
      `${c.fault} on${c.detail ? ` (${c.detail})` : ""} since ${time(c.at)}${c.expiresAt ? ` until ${time(c.expiresAt)}` : ""}, by ${c.by}`,
  );
  return `Faults on at start: ${each.join("; ")}`;
}

import type { FaultChange } from "./faults.ts";

/**
 * One line naming the switches already on when a run started (GET /faults/changes `active`):
 * "Faults on at start: latency on (fixed 150 ms) since 12:01:03, by ops@shop.test", or null when
 * none was. `time` formats epoch ms (local time in the dashboard, ISO in report.html).
 */
export function faultsAtStartText(
  active: ReadonlyArray<FaultChange>,
  time: (ms: number) => string,
): string | null {
  if (active.length === 0) return null;
  const each = active.map(
    (c) =>
      `${c.fault} on${c.detail ? ` (${faultDetailWords(c.detail)})` : ""} since ${time(c.at)}${c.expiresAt ? ` until ${time(c.expiresAt)}` : ""}, by ${c.by}`,
  );
  return `Faults on at start: ${each.join("; ")}`;
}

/** Parameters whose unit is not in their name: probabilities and rates in 0..1, shown as %. */
const shares = new Set(["probability", "rate"]);

/**
 * A switch's `key=value` parameters in words with their units: `fixedMs=150, probability=0.5,
 * routes=["/checkout"]` reads "fixed 150 ms, probability 50 %, routes /checkout". Text it cannot
 * read is returned as it is.
 */
export function faultDetailWords(detail: string): string {
  const parts = detail.split(/, (?=[A-Za-z]\w*=)/);
  const words = parts.map((part) => {
    const eq = part.indexOf("=");
    if (eq <= 0) return part;
    const key = part.slice(0, eq);
    let value: unknown;
    try {
      value = JSON.parse(part.slice(eq + 1));
    } catch {
      value = part.slice(eq + 1);
    }
    const text = Array.isArray(value) ? value.join(", ") : String(value);
    const name = (k: string) => k.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
    if (key.endsWith("Ms")) return `${name(key.slice(0, -2))} ${text} ms`;
    if (key.endsWith("Seconds")) return `${name(key.slice(0, -7))} ${text} s`;
    if (key === "percentage") return `${text} %`;
    if (shares.has(key) && typeof value === "number")
      return `${name(key)} ${Number((value * 100).toFixed(2))} %`;
    return `${name(key)} ${text}`;
  });
  return words.join(", ");
}

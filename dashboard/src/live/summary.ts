/** The manager summary as the dashboard shows it, read leniently from GET /summary. */
export interface SummaryView {
  firing: number;
  slos: Array<{ name: string; objective: number | null; current: number | null; ok: boolean }>;
  windows: Array<{ label: string; incidents: number; meanSecondsToResolve: number | null }>;
}

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === "object" ? (v as Record<string, unknown>) : {};

/** Normalises the hub's summary; unknown fields are ignored, missing ones show as "–". */
export function readSummary(body: unknown): SummaryView {
  const b = obj(body);
  const slos = (Array.isArray(b.slos) ? b.slos : []).map((raw) => {
    const s = obj(raw);
    return {
      name: String(s.name ?? s.rule ?? "objective"),
      objective: num(s.objective) ?? num(s.target),
      current: num(s.current) ?? num(s.value) ?? num(s.sli),
      ok: typeof s.ok === "boolean" ? s.ok : s.status !== "breached" && s.state !== "firing",
    };
  });
  const incidents = obj(b.incidents);
  const windows = [
    ["24 h", incidents.last24h ?? incidents["24h"] ?? b.last24h],
    ["7 days", incidents.last7d ?? incidents["7d"] ?? b.last7d],
  ].map(([label, raw]) => {
    const w = obj(raw);
    const mttr =
      num(w.meanSecondsToResolve) ??
      num(w.mttrSeconds) ??
      (num(w.mttrMs) !== null ? num(w.mttrMs)! / 1000 : null);
    return {
      label: String(label),
      incidents: num(w.count) ?? num(w.incidents) ?? 0,
      meanSecondsToResolve: mttr,
    };
  });
  return { firing: num(b.firing) ?? num(obj(b.alerts).firing) ?? 0, slos, windows };
}

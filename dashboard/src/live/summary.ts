import { type RunVerdict, RunVerdictSchema } from "../../../core/verdict.ts";

/** A firing alert in the summary: named, with severity and age. */
export interface FiringAlertView {
  rule: string;
  severity: string;
  firedAt: number | null;
  summary: string;
  acknowledgedBy: string | null;
}

/** The manager summary as the dashboard shows it, read leniently from GET /summary. */
export interface SummaryView {
  firing: number;
  firingAlerts: FiringAlertView[];
  slos: Array<{
    name: string;
    objective: number | null;
    current: number | null;
    ok: boolean;
    status: "met" | "breached" | "no data";
  }>;
  windows: Array<{ label: string; incidents: number; meanSecondsToResolve: number | null }>;
  profiles: string[];
  latestRun: {
    runId: string;
    profile: string;
    startedAt: number;
    endedAt: number | null;
    combined: RunVerdict | null;
  } | null;
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
      status: (s.status === "met" || s.status === "breached" || s.status === "no data"
        ? s.status
        : num(s.current) === null
          ? "no data"
          : s.ok === false
            ? "breached"
            : "met") as "met" | "breached" | "no data",
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
  const firingAlerts = (Array.isArray(b.firingAlerts) ? b.firingAlerts : []).map((raw) => {
    const a = obj(raw);
    return {
      rule: String(a.rule ?? "alert"),
      severity: String(a.severity ?? "warning"),
      firedAt: num(a.firedAt),
      summary: typeof a.summary === "string" ? a.summary : "",
      acknowledgedBy: typeof a.acknowledgedBy === "string" ? a.acknowledgedBy : null,
    };
  });
  const run = obj(b.latestRun);
  const combined = RunVerdictSchema.safeParse(run.combined);
  const latestRun =
    typeof run.runId === "string"
      ? {
          runId: run.runId,
          profile: String(run.profile ?? ""),
          startedAt: num(run.startedAt) ?? 0,
          endedAt: num(run.endedAt),
          combined: combined.success ? combined.data : null,
        }
      : null;
  return {
    firing: num(b.firing) ?? num(obj(b.alerts).firing) ?? 0,
    firingAlerts,
    slos,
    windows,
    profiles: Array.isArray(b.profiles) ? b.profiles.filter((p): p is string => typeof p === "string") : [],
    latestRun,
  };
}

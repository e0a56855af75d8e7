import { and, desc, eq, gt, isNotNull, notInArray, sql } from "drizzle-orm";
import type { Alert } from "../../core/alert.ts";
import type { Summary } from "../../core/api/summary.ts";
import type { Rule } from "../../core/rule.ts";
import type { Db } from "../../db/open.ts";
import { runs } from "../../db/schema/hub.ts";
import type { AlertStore } from "./alert-store.ts";
import { verdictOfRun } from "./run-verdict.ts";

const DAY_MS = 24 * 3600 * 1000;

export interface IncidentWindow {
  count: number;
  resolved: number;
  /** Incidents of the window not resolved since they fired. */
  open: number;
  meanSecondsToResolve: number | null;
}

/** Incidents (alerts that fired) in a window, how many are still open, and the mean time from firing to resolved. Pure. */
export function incidentWindow(
  events: ReadonlyArray<{ kind: string; at: number; firedAt: number | null; fingerprint: string }>,
): IncidentWindow {
  const firings = events.filter((e) => e.kind === "firing");
  const fired = firings.length;
  // The last resolution of each alert: a firing after it is still open.
  const lastResolved = new Map<string, number>();
  for (const e of events)
    if (e.kind === "resolved")
      lastResolved.set(e.fingerprint, Math.max(e.at, lastResolved.get(e.fingerprint) ?? 0));
  const open = firings.filter((e) => (lastResolved.get(e.fingerprint) ?? -1) < e.at).length;
  const durations = events
    .filter((e) => e.kind === "resolved" && e.firedAt !== null)
    .map((e) => (e.at - e.firedAt!) / 1000);
  const mean = durations.length === 0 ? null : durations.reduce((a, b) => a + b, 0) / durations.length;
  return { count: fired, resolved: durations.length, open, meanSecondsToResolve: mean };
}

/** What the engine measured last for each rule, by rule id (null values: not enough data). */
export type Measured = ReadonlyMap<string, { at: number; values: ReadonlyArray<number | null> }>;

/**
 * SLO status now, one line per burn-rate rule: "breached" while any of its alerts fires, "no
 * data" when nothing was measured (no live run: burn rates are run-scoped), else "met". Pure.
 */
export function sloStatus(
  rules: ReadonlyArray<Rule>,
  alerts: ReadonlyArray<Alert>,
  measured: Measured = new Map(),
) {
  return rules
    .filter((r) => r.kind === "burn_rate" && r.enabled)
    .map((r) => {
      const mine = alerts.filter((a) => a.rule === r.name && a.state !== "resolved");
      const objective = r.kind === "burn_rate" ? r.objective : null;
      const values = (measured.get(r.id)?.values ?? []).filter((v): v is number => v !== null);
      const burn = values.length === 0 ? null : Math.max(...values);
      const breached = mine.some((a) => a.state === "firing");
      const status: "breached" | "no data" | "met" = breached
        ? "breached"
        : burn === null
          ? "no data"
          : "met";
      return {
        name: r.name,
        objective,
        /** The success ratio implied by the worst current burn rate; null without data. */
        current: burn === null || objective === null ? null : Math.max(0, 1 - burn * (1 - objective)),
        status,
        ok: status === "met",
      };
    });
}

/** A firing alert in words: name, severity, since when, what it says. */
export function firingList(alerts: ReadonlyArray<Alert>, now: number) {
  return alerts
    .filter((a) => a.state === "firing")
    .sort((a, b) =>
      a.severity === b.severity ? (a.firedAt ?? 0) - (b.firedAt ?? 0) : a.severity === "critical" ? -1 : 1,
    )
    .map((a) => ({
      rule: a.rule,
      severity: a.severity,
      fingerprint: a.fingerprint,
      firedAt: a.firedAt,
      ageSeconds: a.firedAt === null ? null : Math.max(0, Math.round((now - a.firedAt) / 1000)),
      summary: a.annotations.summary ?? "",
      acknowledgedBy: a.acknowledgedBy,
    }));
}

/** Runs shorter than this are smoke checks or aborted starts: not "the latest load test". */
const MEANINGFUL_RUN_MS = 60_000;

/**
 * The latest finished run of `profile`, or by default the latest finished run longer than a
 * minute (a 9-second aborted smoke run must not hide the spike test before it).
 */
async function latestLoadTest(
  db: Db,
  profile: string | undefined,
  projectId: string,
): Promise<{ run: typeof runs.$inferSelect | undefined; rule?: string }> {
  const finished = and(
    eq(runs.projectId, projectId),
    notInArray(runs.status, ["starting", "running"]),
    isNotNull(runs.endedAt),
  );
  const latest = async (where: ReturnType<typeof and>) =>
    (await db.select().from(runs).where(where).orderBy(desc(runs.startedAt)).limit(1))[0];
  if (profile) return { run: await latest(and(finished, eq(runs.profile, profile))) };
  const meaningful = await latest(
    and(finished, gt(sql`${runs.endedAt} - ${runs.startedAt}`, MEANINGFUL_RUN_MS)),
  );
  if (meaningful) return { run: meaningful, rule: LONGER_THAN_A_MINUTE };
  // Right after a first smoke run, that run says more than "nothing yet".
  const any = await latest(finished);
  return any
    ? { run: any, rule: "the latest run (none has run longer than one minute yet)" }
    : { run: undefined, rule: LONGER_THAN_A_MINUTE };
}

const LONGER_THAN_A_MINUTE = "the last run longer than one minute";

export interface SummaryOptions {
  /** The profile whose latest finished run to show; default: the last run longer than a minute. */
  profile?: string | undefined;
  measured?: Measured;
}

/** GET /summary for one project (`rules` and `alerts` must be its own): what a manager asks: is it fine now, how often did it break, how fast was it fixed. */
export async function managerSummary(
  db: Db,
  store: AlertStore,
  project: { id: string },
  rules: Rule[],
  alerts: Alert[],
  now: number,
  options: SummaryOptions = {},
): Promise<Summary> {
  const week = await store.incidentsSince(now - 7 * DAY_MS, project.id);
  const { run: latest, rule } = await latestLoadTest(db, options.profile, project.id);
  const profiles = await db
    .selectDistinct({ profile: runs.profile })
    .from(runs)
    .where(and(eq(runs.projectId, project.id), gt(runs.startedAt, now - 30 * DAY_MS)))
    .orderBy(runs.profile)
    .limit(100);
  return {
    firing: alerts.filter((a) => a.state === "firing").length,
    firingAlerts: firingList(alerts, now),
    pending: alerts.filter((a) => a.state === "pending").length,
    acknowledged: alerts.filter((a) => a.state === "firing" && a.acknowledgedBy !== null).length,
    slos: sloStatus(rules, alerts, options.measured),
    incidents: {
      last24h: incidentWindow(week.filter((e) => e.at >= now - DAY_MS)),
      last7d: incidentWindow(week),
    },
    profiles: profiles.map((p) => p.profile),
    latestRunChoice: options.profile ? { profile: options.profile } : { rule: rule ?? LONGER_THAN_A_MINUTE },
    latestRun: latest
      ? {
          runId: latest.runId,
          profile: latest.profile,
          status: latest.status,
          startedAt: latest.startedAt,
          endedAt: latest.endedAt,
          verdict: latest.verdict,
          combined: await verdictOfRun(db, latest.runId, rules, now, project.id),
        }
      : null,
  };
}

import { desc } from "drizzle-orm";
import type { Alert } from "../../core/alert.ts";
import type { Rule } from "../../core/rule.ts";
import type { Db } from "../../db/open.ts";
import { runs } from "../../db/schema/hub.ts";
import type { AlertStore } from "./alert-store.ts";

const DAY_MS = 24 * 3600 * 1000;

export interface IncidentWindow {
  count: number;
  resolved: number;
  meanSecondsToResolve: number | null;
}

/** Incidents (alerts that fired) in a window and the mean time from firing to resolved. Pure. */
export function incidentWindow(
  events: ReadonlyArray<{ kind: string; at: number; firedAt: number | null }>,
): IncidentWindow {
  const fired = events.filter((e) => e.kind === "firing").length;
  const durations = events
    .filter((e) => e.kind === "resolved" && e.firedAt !== null)
    .map((e) => (e.at - e.firedAt!) / 1000);
  const mean = durations.length === 0 ? null : durations.reduce((a, b) => a + b, 0) / durations.length;
  return { count: fired, resolved: durations.length, meanSecondsToResolve: mean };
}

/** SLO status now: one line per burn-rate rule, breached while any of its alerts fires. Pure. */
export function sloStatus(rules: ReadonlyArray<Rule>, alerts: ReadonlyArray<Alert>) {
  return rules
    .filter((r) => r.kind === "burn_rate" && r.enabled)
    .map((r) => {
      const mine = alerts.filter((a) => a.rule === r.name && a.state !== "resolved");
      const objective = r.kind === "burn_rate" ? r.objective : null;
      const burn = mine.reduce<number | null>(
        (m, a) => (a.value === null ? m : Math.max(m ?? 0, a.value)),
        null,
      );
      return {
        name: r.name,
        objective,
        /** The success ratio implied by the worst current burn rate; null without recent data. */
        current: burn === null || objective === null ? null : 1 - burn * (1 - objective),
        ok: !mine.some((a) => a.state === "firing"),
      };
    });
}

/** GET /summary: what a manager asks: is it fine now, how often did it break, how fast was it fixed. */
export async function managerSummary(db: Db, store: AlertStore, rules: Rule[], alerts: Alert[], now: number) {
  const week = await store.incidentsSince(now - 7 * DAY_MS);
  const [latest] = await db.select().from(runs).orderBy(desc(runs.startedAt)).limit(1);
  return {
    firing: alerts.filter((a) => a.state === "firing").length,
    pending: alerts.filter((a) => a.state === "pending").length,
    acknowledged: alerts.filter((a) => a.state === "firing" && a.acknowledgedBy !== null).length,
    slos: sloStatus(rules, alerts),
    incidents: {
      last24h: incidentWindow(week.filter((e) => e.at >= now - DAY_MS)),
      last7d: incidentWindow(week),
    },
    latestRun: latest
      ? {
          runId: latest.runId,
          profile: latest.profile,
          status: latest.status,
          startedAt: latest.startedAt,
          endedAt: latest.endedAt,
          verdict: latest.verdict,
        }
      : null,
  };
}

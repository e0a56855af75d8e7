import { and, asc, eq, gte, lte } from "drizzle-orm";
import type { Alert } from "../../core/alert.ts";
import { AppError } from "../../core/http/app-error.ts";
import { formatRuleValue, type Rule } from "../../core/rule.ts";
import type { FaultMarker, RunStatus, ThresholdResult } from "../../core/run.ts";
import { faultAt, type RunIncident, type RunVerdict, runVerdict } from "../../core/verdict.ts";
import type { Db } from "../../db/open.ts";
import { alertHistory } from "../../db/schema/alerting.ts";
import { runs } from "../../db/schema/hub.ts";
import { faultsActiveAt } from "../faults/active.ts";
import { originOf } from "./measure.ts";
import { RuleStore } from "./rule-store.ts";

/**
 * The alerts that fired during a run: those about the run itself (label runId) and those about
 * its target without a run (probe and scraped-metric alerts such as ShopDown), between its start
 * and its end. Each names the fault the profile injected then, if any.
 */
export async function runIncidents(
  db: Db,
  run: { runId: string; target: string; startedAt: number; endedAt: number | null; faults: FaultMarker[] },
  rules: ReadonlyArray<Rule>,
  now: number,
): Promise<RunIncident[]> {
  const until = run.endedAt ?? now;
  const rows = await db
    .select()
    .from(alertHistory)
    .where(
      and(eq(alertHistory.kind, "firing"), gte(alertHistory.at, run.startedAt), lte(alertHistory.at, until)),
    )
    .orderBy(asc(alertHistory.at))
    .limit(1000);
  const target = originOf(run.target);
  const byName = new Map(rules.map((r) => [r.name, r]));
  const out: RunIncident[] = [];
  for (const row of rows) {
    const labels = row.labels as Record<string, string>;
    const ours =
      labels.runId === undefined
        ? labels.target === undefined || labels.target === target
        : labels.runId === run.runId;
    if (!ours) continue;
    const alert = row.alert as Alert | null;
    out.push({
      rule: row.rule,
      severity: row.severity as RunIncident["severity"],
      fingerprint: row.fingerprint,
      value: row.value,
      valueText: formatRuleValue(byName.get(row.rule), row.value),
      at: row.at,
      summary: alert?.annotations.summary ?? "",
      injectedFault: faultAt(run.faults, run.startedAt, row.at),
    });
  }
  return out;
}

/** The verdict of one stored run; throws not_found. */
export async function verdictOfRun(
  db: Db,
  runId: string,
  rules: ReadonlyArray<Rule>,
  now: number,
  projectId: string,
): Promise<RunVerdict> {
  // Another project's run answers 404 like a missing one.
  const [row] = await db
    .select()
    .from(runs)
    .where(and(eq(runs.runId, runId), eq(runs.projectId, projectId)));
  if (!row) throw new AppError("not_found", `no run ${runId}`);
  const faults = row.faults as FaultMarker[];
  const incidents = await runIncidents(db, { ...row, faults }, rules, now);
  const verdict = runVerdict(
    { runId, status: row.status as RunStatus, thresholds: row.thresholds as ThresholdResult[] },
    incidents,
  );
  const faultsAtStart = await faultsActiveAt(db, row.startedAt, projectId);
  return faultsAtStart.length === 0 ? verdict : { ...verdict, faultsAtStart };
}

/** The verdict of one stored run with the rules as stored (for its reports); throws not_found. */
export async function storedRunVerdict(
  db: Db,
  runId: string,
  now: number,
  projectId: string,
): Promise<RunVerdict> {
  return verdictOfRun(db, runId, await new RuleStore(db, () => now).list(projectId), now, projectId);
}

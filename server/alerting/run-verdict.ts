import { and, asc, eq, gte, lte, type SQL, sql } from "drizzle-orm";
import type { Alert } from "../../core/alert.ts";
import type { Labels } from "../../core/fingerprint.ts";
import { AppError } from "../../core/http/app-error.ts";
import { formatRuleValue, type Rule } from "../../core/rule.ts";
import type { FaultMarker, RunStatus, ThresholdResult } from "../../core/run.ts";
import {
  faultAt,
  type RunIncident,
  type RunVerdict,
  runVerdict,
  type VerdictState,
  verdictState,
} from "../../core/verdict.ts";
import type { Db } from "../../db/open.ts";
import { rowsOf } from "../../db/rows.ts";
import { type AlertHistoryRow, alertHistory } from "../../db/schema/alerting.ts";
import { type RunRow, runs } from "../../db/schema/hub.ts";
import { faultsActiveAt } from "../faults/active.ts";
import { originOf } from "./measure.ts";
import { RuleStore } from "./rule-store.ts";

type IncidentRun = {
  runId: string;
  target: string;
  startedAt: number;
  endedAt: number | null;
  faults: FaultMarker[];
};

/**
 * The alerts that fired during a run: those about the run itself (label runId) and those about
 * its target without a run (probe and scraped-metric alerts such as ShopDown), between its start
 * and its end, plus those labelled with the run that fired just after its end (LATE_RUN_ALERT_MS),
 * in the run's project. Each names the fault the profile injected then, if any.
 */
export async function runIncidents(
  db: Db,
  run: IncidentRun,
  rules: ReadonlyArray<Rule>,
  now: number,
  projectId: string,
): Promise<RunIncident[]> {
  const [before, rows] = await Promise.all([
    firingAtStart(db, projectId, run, 100),
    firingBetween(db, projectId, run.startedAt, (run.endedAt ?? now) + LATE_RUN_ALERT_MS, 1000),
  ]);
  const byName = new Map(rules.map((r) => [r.name, r]));
  const ongoing = before.map(
    (row): RunIncident => ({
      ...incidentOf(row, byName),
      injectedFault: null,
      firingAtStart: true,
    }),
  );
  return [...ongoing, ...incidentsOf(run, rows, byName, now)];
}

/**
 * How far before a run's start an alert still firing then is looked for: alerts fire once and
 * resolve once, so one that began earlier than this is not seen.
 */
const FIRING_AT_START_LOOKBACK_MS = 7 * 24 * 3_600_000;

/**
 * Whether the alert of the `alert_history` row in scope fired before `start` and was still
 * firing then (no `resolved` event of its fingerprint since), and is about `target` or no target
 * at all (never about another run).
 */
const stillFiringAt = (start: number | SQL, target: string | SQL) => sql`
  ${alertHistory.kind} = 'firing'
  and ${alertHistory.at} >= (${start})::bigint - ${FIRING_AT_START_LOOKBACK_MS}::bigint
  and ${alertHistory.at} < (${start})::bigint
  and ${alertHistory.labels} ->> 'runId' is null
  and coalesce(${alertHistory.labels} ->> 'target', (${target})::text) = (${target})::text
  and not exists (
    select 1 from ${alertHistory} as resolution
    where resolution.project_id = ${alertHistory.projectId}
      and resolution.fingerprint = ${alertHistory.fingerprint}
      and resolution.kind = 'resolved'
      and resolution.at > ${alertHistory.at} and resolution.at <= (${start})::bigint
  )`;

/** The alerts about the run's target that were already firing when it started, oldest first. */
function firingAtStart(db: Db, projectId: string, run: IncidentRun, limit: number) {
  return db
    .select()
    .from(alertHistory)
    .where(and(eq(alertHistory.projectId, projectId), stillFiringAt(run.startedAt, originOf(run.target))))
    .orderBy(asc(alertHistory.at))
    .limit(limit);
}

/** Firing events of a project between two instants (epoch ms), oldest first, `limit` at most. */
function firingBetween(db: Db, projectId: string, from: number, until: number, limit: number) {
  return db
    .select()
    .from(alertHistory)
    .where(
      and(
        eq(alertHistory.projectId, projectId),
        eq(alertHistory.kind, "firing"),
        gte(alertHistory.at, from),
        lte(alertHistory.at, until),
      ),
    )
    .orderBy(asc(alertHistory.at))
    .limit(limit);
}

/**
 * The firing events among `rows` (oldest first) that belong to `run` (see runIncidents), as
 * incidents; only the rows of the run's span are visited. Pure.
 */
function incidentsOf(
  run: IncidentRun,
  rows: ReadonlyArray<AlertHistoryRow>,
  byName: ReadonlyMap<string, Rule>,
  now: number,
): RunIncident[] {
  const until = run.endedAt ?? now;
  const target = originOf(run.target);
  const out: RunIncident[] = [];
  for (let i = firstAtOrAfter(rows, run.startedAt); i < rows.length; i++) {
    const row = rows[i]!;
    if (row.at > until + LATE_RUN_ALERT_MS) break;
    if (!ofRunAt(row.labels as RunLabels, row.at, run.runId, target, until)) continue;
    out.push({ ...incidentOf(row, byName), injectedFault: faultAt(run.faults, run.startedAt, row.at) });
  }
  return out;
}

/** A firing event as an incident, its value in its rule's unit. */
function incidentOf(
  row: AlertHistoryRow,
  byName: ReadonlyMap<string, Rule>,
): Omit<RunIncident, "injectedFault"> {
  const alert = row.alert as Alert | null;
  return {
    rule: row.rule,
    severity: row.severity as RunIncident["severity"],
    fingerprint: row.fingerprint,
    value: row.value,
    valueText: formatRuleValue(byName.get(row.rule), row.value),
    at: row.at,
    summary: alert?.annotations.summary ?? "",
    labels: row.labels as Labels,
  };
}

/** The labels that say which run an alert is about (absent: null from SQL, undefined from JSON). */
type RunLabels = { runId?: string | null; target?: string | null };

/**
 * Whether an alert with these labels belongs to the run `runId` against `target` (an origin): an
 * alert about the run itself, or about its target without a run (probe and scraped-metric alerts).
 */
function ofRun(labels: RunLabels, runId: string, target: string): boolean {
  return labels.runId == null ? labels.target == null || labels.target === target : labels.runId === runId;
}

/**
 * How long after its end an alert labelled with a run still counts for it. The run's last windows
 * reach the hub, and are evaluated, after the generator's end instant; the hub resolves the run's
 * alerts ("run ended") as soon as it hears of the end. An alert about the run that fires in
 * between is the run's own (on a loaded machine a short run's burn alert fired 1-2 s after it).
 */
const LATE_RUN_ALERT_MS = 5 * 60_000;

/**
 * Whether an alert fired `at` belongs to the run that ended at `end`: one of the run's (see
 * ofRun) during it, or one labelled with the run shortly after (LATE_RUN_ALERT_MS).
 */
function ofRunAt(labels: RunLabels, at: number, runId: string, target: string, end: number): boolean {
  if (at <= end) return ofRun(labels, runId, target);
  return at <= end + LATE_RUN_ALERT_MS && labels.runId === runId;
}

/** The index of the first row at or after `at` in rows sorted by time (rows.length when none). */
function firstAtOrAfter(rows: ReadonlyArray<{ at: number }>, at: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid]!.at < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Critical firing events read at most to judge a list of runs at once. */
const LIST_EVENTS = 5000;

/**
 * The verdict state of each run of a list (thresholds with the alerts that fired during it), from
 * one read of the alert history over the runs' span; a run is left out (state unknown) when that
 * span holds more critical firing events than are read. For lists: the History view, `GET /runs`.
 */
export async function verdictStatesOf(
  db: Db,
  list: ReadonlyArray<RunRow>,
  now: number,
  projectId: string,
): Promise<Map<string, VerdictState>> {
  const states = new Map<string, VerdictState>();
  if (list.length === 0) return states;
  const from = Math.min(...list.map((r) => r.startedAt));
  const until = Math.max(...list.map((r) => r.endedAt ?? now)) + LATE_RUN_ALERT_MS;
  // Only what a state needs: critical events, their run and target read out in SQL, so no row's
  // JSON is parsed on the hub's thread.
  const rows = await db
    .select({
      at: alertHistory.at,
      runId: sql<string | null>`${alertHistory.labels} ->> 'runId'`,
      target: sql<string | null>`${alertHistory.labels} ->> 'target'`,
    })
    .from(alertHistory)
    .where(
      and(
        eq(alertHistory.projectId, projectId),
        eq(alertHistory.kind, "firing"),
        eq(alertHistory.severity, "critical"),
        gte(alertHistory.at, from),
        lte(alertHistory.at, until),
      ),
    )
    .orderBy(asc(alertHistory.at))
    .limit(LIST_EVENTS + 1);
  // Read to the end of the span, or only as far as the events read reach.
  const complete = rows.length <= LIST_EVENTS;
  const reached = complete ? until : rows[LIST_EVENTS - 1]!.at;
  const firingAtStart = await runsWithCriticalAtStart(db, list, projectId);
  for (const r of list) {
    const end = r.endedAt ?? now;
    if (firingAtStart.has(r.runId)) {
      states.set(r.runId, verdictState(r.status as RunStatus, true));
      continue;
    }
    if (end + LATE_RUN_ALERT_MS >= reached && !complete) continue;
    const target = originOf(r.target);
    let critical = false;
    const last = end + LATE_RUN_ALERT_MS;
    for (let i = firstAtOrAfter(rows, r.startedAt); i < rows.length && rows[i]!.at <= last; i++)
      if (ofRunAt(rows[i]!, rows[i]!.at, r.runId, target, end)) {
        critical = true;
        break;
      }
    states.set(r.runId, verdictState(r.status as RunStatus, critical));
  }
  return states;
}

/** The runs of `list` that started while a critical alert about their target was firing; one query. */
async function runsWithCriticalAtStart(
  db: Db,
  list: ReadonlyArray<RunRow>,
  projectId: string,
): Promise<Set<string>> {
  const each = list.map((r) => sql`(${r.runId}::text, ${r.startedAt}::bigint, ${originOf(r.target)}::text)`);
  const rows = rowsOf<{ run_id: string }>(
    await db.execute(sql`
      select run.run_id from (values ${sql.join(each, sql`, `)}) as run(run_id, started_at, target)
      where exists (
        select 1 from ${alertHistory}
        where ${alertHistory.projectId} = ${projectId} and ${alertHistory.severity} = 'critical'
          and ${stillFiringAt(sql`run.started_at`, sql`run.target`)}
      )`),
  );
  return new Set(rows.map((r) => r.run_id));
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
  const incidents = await runIncidents(db, { ...row, faults }, rules, now, projectId);
  const verdict = runVerdict(
    { runId, status: row.status as RunStatus, thresholds: row.thresholds as ThresholdResult[] },
    incidents,
  );
  const faultsAtStart = await faultsActiveAt(db, row.startedAt, projectId);
  return {
    ...verdict,
    ...(faultsAtStart.length > 0 ? { faultsAtStart } : {}),
    ...(row.verdict !== null ? { runLine: row.verdict } : {}),
  };
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

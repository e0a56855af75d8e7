import { and, desc, eq, gte, inArray, lt } from "drizzle-orm";
import type { Alert, AlertEvent, AlertEventKind } from "../../core/alert.ts";
import type { Db } from "../../db/open.ts";
import { alertHistory, alerts } from "../../db/schema/alerting.ts";
import type { ProjectIds } from "../projects/project-ids.ts";
import type { TrackedAlert } from "./evaluate.ts";

/** The public view of a tracked alert (what the API and live push show). */
export function publicAlert(a: TrackedAlert): Alert {
  const { ruleId: _r, lastBreachAt: _l, evaluatedAt: _e, ...alert } = a;
  return alert;
}

export interface HistoryQuery {
  /** Only this project's events. */
  projectId: string;
  from?: number;
  to?: number;
  fingerprint?: string;
  limit: number;
}

/**
 * Current alert instances and their history. Writes are idempotent upserts; each row is stored
 * with its alert's project (by the alert's `project` label), and history is read per project.
 */
export class AlertStore {
  constructor(
    private readonly db: Db,
    private readonly projectIds: ProjectIds,
  ) {}

  async load(): Promise<TrackedAlert[]> {
    return (await this.db.select().from(alerts)).map((r) => r.alert as TrackedAlert);
  }

  async save(
    changed: ReadonlyArray<TrackedAlert>,
    removed: ReadonlyArray<string>,
    now: number,
  ): Promise<void> {
    if (removed.length > 0) await this.db.delete(alerts).where(inArray(alerts.fingerprint, [...removed]));
    for (const a of changed) {
      const projectId = await this.projectIds.ofLabel(a.labels.project);
      const row = {
        projectId,
        fingerprint: a.fingerprint,
        ruleId: a.ruleId,
        state: a.state,
        alert: a,
        updatedAt: now,
      };
      await this.db
        .insert(alerts)
        .values(row)
        .onConflictDoUpdate({
          target: alerts.fingerprint,
          set: { projectId, ruleId: row.ruleId, state: row.state, alert: a, updatedAt: now },
        });
    }
  }

  async append(
    events: ReadonlyArray<{ kind: AlertEventKind; at: number; alert: TrackedAlert; actor?: string }>,
  ): Promise<void> {
    if (events.length === 0) return;
    const projectIds = await Promise.all(events.map((e) => this.projectIds.ofLabel(e.alert.labels.project)));
    await this.db.insert(alertHistory).values(
      events.map((e, i) => ({
        projectId: projectIds[i]!,
        fingerprint: e.alert.fingerprint,
        rule: e.alert.rule,
        kind: e.kind,
        severity: e.alert.severity,
        at: e.at,
        labels: e.alert.labels,
        value: e.alert.value,
        firedAt: e.kind === "resolved" ? e.alert.firedAt : null,
        actor: e.actor ?? null,
        alert: publicAlert(e.alert),
      })),
    );
  }

  /** History newest first, as AlertEvents (seq is the history row id). */
  async history(q: HistoryQuery): Promise<AlertEvent[]> {
    const conditions = [
      eq(alertHistory.projectId, q.projectId),
      q.from === undefined ? undefined : gte(alertHistory.at, q.from),
      q.to === undefined ? undefined : lt(alertHistory.at, q.to),
      q.fingerprint === undefined ? undefined : eq(alertHistory.fingerprint, q.fingerprint),
    ].filter((c) => c !== undefined);
    const rows = await this.db
      .select()
      .from(alertHistory)
      .where(and(...conditions))
      .orderBy(desc(alertHistory.id))
      .limit(q.limit);
    return rows.map((r) => ({
      seq: r.id,
      kind: r.kind as AlertEventKind,
      at: r.at,
      alert: r.alert as Alert,
    }));
  }

  /** A project's fired and resolved events since `from`, for incident counts and time to resolve. */
  async incidentsSince(
    from: number,
    projectId: string,
  ): Promise<Array<{ kind: string; at: number; firedAt: number | null; fingerprint: string }>> {
    return this.db
      .select({
        kind: alertHistory.kind,
        at: alertHistory.at,
        firedAt: alertHistory.firedAt,
        fingerprint: alertHistory.fingerprint,
      })
      .from(alertHistory)
      .where(
        and(
          gte(alertHistory.at, from),
          inArray(alertHistory.kind, ["firing", "resolved"]),
          eq(alertHistory.projectId, projectId),
        ),
      );
  }
}

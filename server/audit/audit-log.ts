import { desc, lt } from "drizzle-orm";
import type { AuditEntryView } from "../../core/api/audit.ts";
import type { Db } from "../../db/open.ts";
import { auditLog } from "../../db/schema/hub.ts";

/** What one audit entry says: who did what to whom, with optional structured detail. */
export interface AuditEvent {
  actor: string;
  action: string;
  target: string;
  detail?: Record<string, unknown>;
}

/** What a route needs to record a change (tests may pass a stand-in that collects entries). */
export type AuditRecorder = Pick<AuditLog, "record">;

/** A refused expired right is logged at most once per key per hour, so a retry loop cannot flood. */
const REFUSAL_QUIET_MS = 60 * 60_000;

/**
 * The hub's audit log (hub.audit_log): admins' changes to rights, and refusals of rights that
 * expired. Callers record; admins read newest first.
 */
export class AuditLog {
  readonly #lastRefusal = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {}

  async record(event: AuditEvent): Promise<void> {
    await this.db.insert(auditLog).values({
      at: new Date(this.now()),
      actor: event.actor,
      action: event.action,
      target: event.target,
      detail: event.detail ?? null,
    });
  }

  /**
   * Records a refusal unless one with the same `key` was recorded in the past hour (per process:
   * a restart may log one more, which is harmless).
   */
  async refused(key: string, event: AuditEvent): Promise<void> {
    const now = this.now();
    const last = this.#lastRefusal.get(key);
    if (last !== undefined && now - last < REFUSAL_QUIET_MS) return;
    if (this.#lastRefusal.size > 10_000) this.#lastRefusal.clear();
    this.#lastRefusal.set(key, now);
    await this.record(event);
  }

  /** Up to `limit` entries older than id `before` (all when undefined), newest first. */
  async page(limit: number, before?: number): Promise<{ entries: AuditEntryView[]; next: number | null }> {
    const rows = await this.db
      .select()
      .from(auditLog)
      .where(before === undefined ? undefined : lt(auditLog.id, before))
      .orderBy(desc(auditLog.id))
      .limit(limit + 1);
    const entries = rows.slice(0, limit).map((r) => ({
      id: r.id,
      at: r.at.toISOString(),
      actor: r.actor,
      action: r.action,
      target: r.target,
      detail: r.detail ?? null,
    }));
    return { entries, next: rows.length > limit ? entries[entries.length - 1]!.id : null };
  }
}

/** Logs that an expired user's session was refused (once per user per hour). */
export function auditExpiredUser(
  audit: AuditLog,
  user: { id: string; email: string; expiresAt: Date | null },
) {
  return audit.refused(`user:${user.id}`, {
    actor: "hub",
    action: "user.refused_expired",
    target: user.email,
    detail: { expiresAt: user.expiresAt?.toISOString() ?? null },
  });
}

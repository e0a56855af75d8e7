import { eq, lt } from "drizzle-orm";
import { loggable } from "../../db/loggable-error.ts";
import type { Db } from "../../db/open.ts";
import { notificationLog, pendingNotices } from "../../db/schema/alerting.ts";
import type { GroupState } from "./group.ts";
import type { Notification } from "./notification.ts";
import type { ResolvedRoute } from "./routing.ts";

/** A notice decided by a flush and not yet delivered (the outbox row). */
export interface PendingNotice {
  /** The project of the group that decided it; only that project's channel may be sent it. */
  projectId: string;
  channel: string;
  kind: "firing" | "resolved" | "reminder";
  summary: string;
  /** Sent as it is, id included: receivers deduplicate on it. */
  notification: Notification;
  createdAt: number;
}

/**
 * Group state in the database (Alertmanager's nflog): what each group's channel was last told,
 * and the notices decided but not yet delivered. Writes run in order on one chain, so dispatch
 * never waits on the database; the delivery queue waits on a notice's write before sending it.
 */
export class NotificationLog {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {}

  async load(): Promise<GroupState[]> {
    await this.chain;
    const rows = await this.db.select().from(notificationLog);
    return rows.map((r) => ({
      key: r.groupKey,
      projectId: r.projectId,
      route: r.route as ResolvedRoute,
      labels: r.labels as Record<string, string>,
      startedAt: r.startedAt,
      lastFlushAt: r.lastFlushAt,
      sentFiring: new Set(r.sentFiring as string[]),
    }));
  }

  /**
   * Records a group's new state (null: the group is done and forgotten) and the notice its flush
   * decided, in one transaction: after a crash either both are there (the notice is re-sent) or
   * neither (the flush is decided again). Never blocks; the promise settles once written and
   * rejects when the write failed.
   */
  commit(key: string, state: GroupState | null, notice?: PendingNotice): Promise<void> {
    return this.enqueue(() =>
      this.db.transaction(async (tx) => {
        if (state) {
          const values = {
            projectId: state.projectId,
            channel: state.route.channel,
            route: state.route,
            labels: state.labels,
            startedAt: state.startedAt,
            lastFlushAt: state.lastFlushAt,
            sentFiring: [...state.sentFiring],
            updatedAt: this.now(),
          };
          await tx
            .insert(notificationLog)
            .values({ groupKey: key, ...values })
            .onConflictDoUpdate({ target: notificationLog.groupKey, set: values });
        } else {
          await tx.delete(notificationLog).where(eq(notificationLog.groupKey, key));
        }
        if (notice)
          await tx.insert(pendingNotices).values({
            projectId: notice.projectId,
            id: notice.notification.id,
            channel: notice.channel,
            groupKey: notice.notification.groupKey,
            kind: notice.kind,
            summary: notice.summary,
            notification: notice.notification,
            createdAt: notice.createdAt,
          });
      }),
    );
  }

  /** Notices decided before `before` and still not delivered, oldest first. */
  async pending(before: number): Promise<PendingNotice[]> {
    await this.chain;
    const rows = await this.db
      .select()
      .from(pendingNotices)
      .where(lt(pendingNotices.createdAt, before))
      .orderBy(pendingNotices.createdAt);
    return rows.map((r) => ({
      projectId: r.projectId,
      channel: r.channel,
      kind: r.kind as PendingNotice["kind"],
      summary: r.summary,
      notification: r.notification as Notification,
      createdAt: r.createdAt,
    }));
  }

  /** A notice was delivered (or failed for good): nobody sends it again. Never blocks. */
  settle(id: string): void {
    void this.enqueue(() => this.db.delete(pendingNotices).where(eq(pendingNotices.id, id))).catch(() => {});
  }

  /** Resolves once everything recorded so far is written. */
  async flushed(): Promise<void> {
    await this.chain;
  }

  private enqueue(write: () => PromiseLike<unknown>): Promise<void> {
    const done = this.chain.then(async () => {
      await write();
    });
    this.chain = done.catch((error) =>
      console.error("alerting: writing the notification log failed:", loggable(error)),
    );
    return done;
  }
}

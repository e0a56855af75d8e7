import { eq } from "drizzle-orm";
import type { Db } from "../../db/open.ts";
import { notificationLog } from "../../db/schema/alerting.ts";
import type { GroupState } from "./group.ts";
import type { ResolvedRoute } from "./routing.ts";

/**
 * Group state in the database (Alertmanager's nflog): what each group's channel was last told.
 * Writes are write-behind on one ordered chain, so dispatch never waits on the database.
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
      route: r.route as ResolvedRoute,
      labels: r.labels as Record<string, string>,
      startedAt: r.startedAt,
      lastFlushAt: r.lastFlushAt,
      sentFiring: new Set(r.sentFiring as string[]),
    }));
  }

  /** Records a group's state after a flush (or its first sighting). Never blocks. */
  save(state: GroupState): void {
    const values = {
      channel: state.route.channel,
      route: state.route,
      labels: state.labels,
      startedAt: state.startedAt,
      lastFlushAt: state.lastFlushAt,
      sentFiring: [...state.sentFiring],
      updatedAt: this.now(),
    };
    this.enqueue(() =>
      this.db
        .insert(notificationLog)
        .values({ groupKey: state.key, ...values })
        .onConflictDoUpdate({ target: notificationLog.groupKey, set: values }),
    );
  }

  /** Forgets a group that has nothing left to say. Never blocks. */
  remove(key: string): void {
    this.enqueue(() => this.db.delete(notificationLog).where(eq(notificationLog.groupKey, key)));
  }

  /** Resolves once everything recorded so far is written. */
  async flushed(): Promise<void> {
    await this.chain;
  }

  private enqueue(write: () => PromiseLike<unknown>): void {
    this.chain = this.chain
      .then(async () => {
        await write();
      })
      .catch((error) => console.error("alerting: writing the notification log failed:", error));
  }
}

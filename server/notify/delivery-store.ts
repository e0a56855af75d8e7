import { desc, eq, like, notLike } from "drizzle-orm";
import { DEFAULT_PROJECT_ID } from "../../core/api/projects.ts";
import type { Db } from "../../db/open.ts";
import { capturedEmails, type DeliveryRow, deliveries } from "../../db/schema/alerting.ts";
import type { Mail } from "./email.ts";
import type { DeliveryEntry } from "./queue.ts";
import { redactSecrets } from "./redact.ts";

/**
 * The delivery log and captured mail. `record` is write-behind: entries are written in order on
 * a chain of their own, so a slow database never slows delivery.
 */
export class DeliveryStore {
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly db: Db) {}

  record = (entry: DeliveryEntry): void => {
    this.chain = this.chain
      .then(async () => {
        const values = {
          channel: entry.channel,
          channelKind: entry.channelKind,
          groupKey: entry.groupKey,
          kind: entry.kind,
          status: entry.status,
          attempts: entry.attempts,
          lastError: entry.lastError,
          summary: entry.summary,
          updatedAt: entry.at,
        };
        await this.db
          .insert(deliveries)
          .values({ id: entry.id, ...values, createdAt: entry.at })
          .onConflictDoUpdate({ target: deliveries.id, set: values });
      })
      .catch((error) => console.error("alerting: writing the delivery log failed:", error));
  };

  /** Resolves once everything recorded so far is written. */
  async flushed(): Promise<void> {
    await this.chain;
  }

  /**
   * A project's deliveries, newest first; errors redacted again on the way out (rows written
   * before redaction existed). Another project's channels are logged as `slug/name`
   * (projectChannelName), the default project's by their plain name.
   */
  async list(
    limit: number,
    channel?: string,
    project: { id: string; slug: string } = { id: DEFAULT_PROJECT_ID, slug: "default" },
  ): Promise<DeliveryRow[]> {
    const prefix = project.id === DEFAULT_PROJECT_ID ? "" : `${project.slug}/`;
    const mine = prefix === "" ? notLike(deliveries.channel, "%/%") : like(deliveries.channel, `${prefix}%`);
    const rows = await this.db
      .select()
      .from(deliveries)
      .where(channel ? eq(deliveries.channel, `${prefix}${channel}`) : mine)
      .orderBy(desc(deliveries.createdAt))
      .limit(limit);
    return rows.map((r) => ({ ...r, lastError: r.lastError === null ? null : redactSecrets(r.lastError) }));
  }

  /** Embedded mode: keeps the mail and prints it, so an operator without SMTP still sees it. */
  capture = async (mail: Mail): Promise<void> => {
    console.log(`alert mail (captured, no SMTP_URL) to ${mail.to.join(", ")}: ${mail.subject}\n${mail.text}`);
    await this.db
      .insert(capturedEmails)
      .values({ to: mail.to.join(", "), subject: mail.subject, text: mail.text, at: Date.now() });
  };

  async capturedMail(limit: number) {
    return this.db.select().from(capturedEmails).orderBy(desc(capturedEmails.id)).limit(limit);
  }
}

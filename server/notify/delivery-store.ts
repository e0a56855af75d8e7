import { and, desc, eq } from "drizzle-orm";
import { loggable } from "../../db/loggable-error.ts";
import type { Db } from "../../db/open.ts";
import { capturedEmails, type DeliveryRow, deliveries } from "../../db/schema/alerting.ts";
import type { Mail } from "./email.ts";
import { projectChannelName } from "./project-routing.ts";
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
          projectId: entry.projectId,
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
      .catch((error) => console.error("alerting: writing the delivery log failed:", loggable(error)));
  };

  /** Resolves once everything recorded so far is written. */
  async flushed(): Promise<void> {
    await this.chain;
  }

  /**
   * A project's deliveries, newest first, optionally of one of its channels (by its own name);
   * errors redacted again on the way out (rows written before redaction existed).
   */
  async list(project: { id: string; slug: string }, limit: number, channel?: string): Promise<DeliveryRow[]> {
    const rows = await this.db
      .select()
      .from(deliveries)
      .where(
        and(
          eq(deliveries.projectId, project.id),
          channel === undefined ? undefined : eq(deliveries.channel, projectChannelName(project, channel)),
        ),
      )
      .orderBy(desc(deliveries.createdAt))
      .limit(limit);
    return rows.map((r) => ({ ...r, lastError: r.lastError === null ? null : redactSecrets(r.lastError) }));
  }

  /** Embedded mode: keeps the mail (as the project's) and prints it, so an operator without SMTP still sees it. */
  async capture(mail: Mail, projectId: string): Promise<void> {
    console.log(`alert mail (captured, no SMTP_URL) to ${mail.to.join(", ")}: ${mail.subject}\n${mail.text}`);
    await this.db
      .insert(capturedEmails)
      .values({ projectId, to: mail.to.join(", "), subject: mail.subject, text: mail.text, at: Date.now() });
  }

  /** The project's captured mail, newest first. */
  async capturedMail(projectId: string, limit: number) {
    return this.db
      .select({
        id: capturedEmails.id,
        to: capturedEmails.to,
        subject: capturedEmails.subject,
        text: capturedEmails.text,
        at: capturedEmails.at,
      })
      .from(capturedEmails)
      .where(eq(capturedEmails.projectId, projectId))
      .orderBy(desc(capturedEmails.id))
      .limit(limit);
  }
}

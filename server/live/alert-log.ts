import { asc, gt } from "drizzle-orm";
import type { AlertEvent } from "../../core/alert.ts";
import type { Db } from "../../db/open.ts";
import { alertEvents } from "../../db/schema/hub.ts";
import type { AlertPublisher } from "../alerting/index.ts";
import { encodeMessage, type LiveHub } from "./live-hub.ts";

/**
 * The alert event log: stores each event (the database assigns `seq`), then pushes it to
 * subscribers of `alerts`. Publishing is serialised so events reach clients in seq order,
 * which is what lets a client's cursor guarantee exactly-once delivery.
 */
export class AlertLog implements AlertPublisher {
  #tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly live: LiveHub,
  ) {}

  /** Stores and broadcasts `event`; resolves to its seq. Throws if the database refuses it. */
  publishAlert(event: Omit<AlertEvent, "seq">): Promise<number> {
    const next = this.#tail.then(async () => {
      const [row] = await this.db
        .insert(alertEvents)
        .values({ kind: event.kind, at: event.at, fingerprint: event.alert.fingerprint, alert: event.alert })
        .returning({ seq: alertEvents.seq });
      const seq = row!.seq;
      this.live.broadcast("alerts", { type: "alert", event: { ...event, seq } });
      return seq;
    });
    this.#tail = next.catch(() => {});
    return next;
  }

  /** Events after `afterSeq`, oldest first, already encoded as live messages. */
  async since(afterSeq: number, limit: number): Promise<Array<{ seq: number; data: Buffer }>> {
    const rows = await this.db
      .select()
      .from(alertEvents)
      .where(gt(alertEvents.seq, afterSeq))
      .orderBy(asc(alertEvents.seq))
      .limit(limit);
    return rows.map((r) => ({
      seq: r.seq,
      data: encodeMessage({
        type: "alert",
        event: {
          seq: r.seq,
          kind: r.kind as AlertEvent["kind"],
          at: r.at,
          alert: r.alert as AlertEvent["alert"],
        },
      }),
    }));
  }
}

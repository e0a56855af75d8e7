import { asc, gt, sql } from "drizzle-orm";
import type { AlertEvent } from "../../core/alert.ts";
import type { Db } from "../../db/open.ts";
import { alertEvents } from "../../db/schema/hub.ts";
import type { AlertPublisher } from "../alerting/index.ts";
import { ProjectIds } from "../projects/project-ids.ts";
import { encodeMessage, type LiveHub } from "./live-hub.ts";

/** Serialises alert inserts across replicas, so seq order is commit order. */
const ALERT_SEQ_LOCK = 7_411_201;
const PAGE = 500;

/**
 * The alert event log. Publishing stores the event (the database assigns `seq`); a pump then
 * pushes every stored event after the last one pushed, in seq order, to `alerts` subscribers.
 * Other replicas run the same pump when notified, so every replica's clients see every event
 * once and in order; a client's cursor makes resumption exactly-once.
 */
export class AlertLog implements AlertPublisher {
  #pumped = 0;
  #pumping: Promise<void> = Promise.resolve();
  #again = false;
  #busy = false;
  /** Project ids by an alert's `project` label. */
  readonly #projectIds: ProjectIds;

  constructor(
    private readonly db: Db,
    private readonly live: LiveHub,
    private readonly options: { serialiseInserts: boolean; stored?: () => void } = {
      serialiseInserts: false,
    },
  ) {
    this.#projectIds = new ProjectIds(db);
  }

  /** Starts pushing from the newest stored event on (older ones are for resuming clients). */
  async init(): Promise<void> {
    const [row] = await this.db
      .select({ max: sql<number>`coalesce(max(${alertEvents.seq}), 0)::float8` })
      .from(alertEvents);
    this.#pumped = row?.max ?? 0;
  }

  /** Stores and broadcasts `event`; resolves to its seq once it has been pushed. */
  async publishAlert(event: Omit<AlertEvent, "seq">): Promise<number> {
    const values = {
      projectId: await this.#projectIds.ofLabel(event.alert.labels.project),
      kind: event.kind,
      at: event.at,
      fingerprint: event.alert.fingerprint,
      alert: event.alert,
    };
    const seq = this.options.serialiseInserts
      ? await this.db.transaction(async (tx) => {
          await tx.execute(sql`select pg_advisory_xact_lock(${ALERT_SEQ_LOCK})`);
          const [row] = await tx.insert(alertEvents).values(values).returning({ seq: alertEvents.seq });
          return row!.seq;
        })
      : (await this.db.insert(alertEvents).values(values).returning({ seq: alertEvents.seq }))[0]!.seq;
    this.options.stored?.();
    await this.pump();
    return seq;
  }

  /** Pushes every stored event not yet pushed, in seq order. Concurrent calls coalesce. */
  pump(): Promise<void> {
    if (this.#busy) {
      this.#again = true;
      return this.#pumping;
    }
    this.#busy = true;
    this.#pumping = (async () => {
      try {
        do {
          this.#again = false;
          for (;;) {
            const page = await this.since(this.#pumped, PAGE);
            for (const event of page) {
              this.live.broadcastEncoded("alerts", "alert", event.data, event.seq, event.projectId);
              this.#pumped = event.seq;
            }
            if (page.length < PAGE) break;
          }
        } while (this.#again);
      } finally {
        this.#busy = false;
      }
    })();
    return this.#pumping;
  }

  /** Events after `afterSeq`, oldest first, already encoded as live messages. */
  async since(
    afterSeq: number,
    limit: number,
  ): Promise<Array<{ seq: number; data: Buffer; projectId: string }>> {
    const rows = await this.db
      .select()
      .from(alertEvents)
      .where(gt(alertEvents.seq, afterSeq))
      .orderBy(asc(alertEvents.seq))
      .limit(limit);
    return rows.map((r) => ({
      seq: r.seq,
      projectId: r.projectId,
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

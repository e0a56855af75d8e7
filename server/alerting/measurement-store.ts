import { loggable } from "../../db/loggable-error.ts";
import type { Db } from "../../db/open.ts";
import { ruleMeasurements } from "../../db/schema/alerting.ts";
import type { Measured } from "./summary.ts";

/** Figures unchanged for this long are written again, so their age says the leader is alive. */
const REWRITE_MS = 30_000;
/** Changed figures are written at most this often, unless a rule gains or loses its data. */
const MIN_INTERVAL_MS = 5_000;
/** Older figures are "no data": no leader has evaluated for a while. */
const STALE_MS = 120_000;

/**
 * What the leader measured per rule, in the database, so every replica's Summary shows the same
 * objectives. `save` is write-behind and coalescing: one write at a time, the latest figures win.
 */
export class MeasurementStore {
  private written = "";
  private writtenShape = "";
  private writtenAt = Number.NEGATIVE_INFINITY;
  private writing: Promise<void> | null = null;
  private next: { measured: Measured; at: number } | null = null;

  constructor(private readonly db: Db) {}

  /**
   * Records the leader's latest figures: at once when a rule gains or loses its data, else at most
   * every 5 s while they change and every 30 s while they hold. Never blocks.
   */
  save(measured: Measured, at: number): void {
    const text = JSON.stringify([...measured].map(([rule, m]) => [rule, m.values]));
    const since = at - this.writtenAt;
    if (text === this.written && since < REWRITE_MS) return;
    if (shape(measured) === this.writtenShape && since < MIN_INTERVAL_MS) return;
    this.next = { measured: new Map(measured), at };
    this.writing ??= this.drain().finally(() => {
      this.writing = null;
    });
  }

  /** The latest figures any leader wrote, without those older than two minutes. */
  async load(now: number): Promise<Measured> {
    const rows = await this.db.select().from(ruleMeasurements);
    return new Map(
      rows
        .filter((r) => now - r.at <= STALE_MS)
        .map((r) => [r.rule, { at: r.at, values: r.values as Array<number | null> }]),
    );
  }

  /** Resolves once the figures saved so far are written. */
  async flushed(): Promise<void> {
    await this.writing;
  }

  private async drain(): Promise<void> {
    for (let job = this.next; job; job = this.next) {
      this.next = null;
      const rows = [...job.measured].map(([rule, m]) => ({ rule, values: m.values, at: job.at }));
      try {
        await this.db.transaction(async (tx) => {
          await tx.delete(ruleMeasurements);
          if (rows.length > 0) await tx.insert(ruleMeasurements).values(rows);
        });
        this.written = JSON.stringify(rows.map((r) => [r.rule, r.values]));
        this.writtenShape = shape(job.measured);
        this.writtenAt = job.at;
      } catch (error) {
        console.error("alerting: writing rule measurements failed:", loggable(error));
      }
    }
  }
}

/** Which rules have figures and which have none ("no data"): a change here is written at once. */
function shape(measured: Measured): string {
  return JSON.stringify([...measured].map(([rule, m]) => [rule, m.values.map((v) => v === null)]));
}

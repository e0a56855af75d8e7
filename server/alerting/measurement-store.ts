import type { Db } from "../../db/open.ts";
import { ruleMeasurements } from "../../db/schema/alerting.ts";
import type { Measured } from "./summary.ts";

/** Figures unchanged for this long are written again, so their age says the leader is alive. */
const REWRITE_MS = 30_000;
/** Older figures are "no data": no leader has evaluated for a while. */
const STALE_MS = 120_000;

/**
 * What the leader measured per rule, in the database, so every replica's Summary shows the same
 * objectives. `save` is write-behind and coalescing: one write at a time, the latest figures win.
 */
export class MeasurementStore {
  private written = "";
  private writtenAt = Number.NEGATIVE_INFINITY;
  private writing: Promise<void> | null = null;
  private next: { measured: Measured; at: number } | null = null;

  constructor(private readonly db: Db) {}

  /** Records the leader's latest figures when they changed (or went unwritten for 30 s). Never blocks. */
  save(measured: Measured, at: number): void {
    const text = JSON.stringify([...measured].map(([rule, m]) => [rule, m.values]));
    if (text === this.written && at - this.writtenAt < REWRITE_MS) return;
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
        this.writtenAt = job.at;
      } catch (error) {
        console.error("alerting: writing rule measurements failed:", error);
      }
    }
  }
}

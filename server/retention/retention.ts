import { lt, sql } from "drizzle-orm";
import type { Db } from "../../db/open.ts";
import { alertEvents, probeResults, scrapedSamples, windowMinutes } from "../../db/schema/hub.ts";
import type { Leadership } from "../cluster/leader.ts";
import { rollUpWindows } from "./rollup.ts";

export interface RetentionOptions {
  db: Db;
  /** Raw per-second windows older than this roll up into minutes. */
  rawRetentionHours: number;
  /** Minute roll-ups, probe results, scraped samples and alert events older than this go. */
  retentionDays: number;
  intervalMs: number;
  now: () => number;
  /** Only the replica holding this runs retention. */
  leadership: Leadership;
  log?: (line: string) => void;
}

/** One retention pass; returns what it removed. Safe to run concurrently with ingest. */
export async function applyRetention(
  db: Db,
  options: { rawRetentionHours: number; retentionDays: number; now: number },
): Promise<{ rolledUp: number; deleted: number }> {
  const rolledUp = await rollUpWindows(db, Math.floor(options.now / 1000) - options.rawRetentionHours * 3600);
  const cutoffMs = options.now - options.retentionDays * 86_400_000;
  let deleted = 0;
  for (const [table, column, cutoff] of [
    [windowMinutes, windowMinutes.minute, Math.floor(cutoffMs / 1000)],
    [probeResults, probeResults.startedAt, cutoffMs],
    [scrapedSamples, scrapedSamples.at, cutoffMs],
    [alertEvents, alertEvents.at, cutoffMs],
  ] as const) {
    // Counted in the database so a large delete does not bring its rows back to the hub.
    const result = await db.execute<{ n: number }>(
      sql`with gone as (delete from ${table} where ${lt(column, cutoff)} returning 1) select count(*)::int as n from gone`,
    );
    const rows = Array.isArray(result) ? result : (result as { rows: { n: number }[] }).rows;
    deleted += rows[0]?.n ?? 0;
  }
  return { rolledUp, deleted };
}

/** Runs retention periodically on the lead replica; never overlaps itself, never throws. */
export class Retention {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(private readonly options: RetentionOptions) {}

  start(): void {
    if (this.options.intervalMs <= 0) return;
    const tick = () => {
      this.#running ??= this.runOnce().finally(() => {
        this.#running = undefined;
      });
    };
    this.#timer = setInterval(tick, this.options.intervalMs);
    this.#timer.unref();
    setTimeout(tick, 5_000).unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }

  async runOnce(): Promise<void> {
    try {
      if (!(await this.options.leadership.isLeader())) return;
      const result = await applyRetention(this.options.db, { ...this.options, now: this.options.now() });
      if (result.rolledUp + result.deleted > 0) {
        (this.options.log ?? console.log)(
          `retention: rolled ${result.rolledUp} windows into minutes, deleted ${result.deleted} old rows`,
        );
      }
    } catch (error) {
      (this.options.log ?? console.error)(`retention failed: ${(error as Error).message}`);
    }
  }
}

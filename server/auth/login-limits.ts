import { createHash } from "node:crypto";
import { and, eq, gt, lte, sql } from "drizzle-orm";
import type { LimitResult } from "../../core/rate-limit.ts";
import type { Db } from "../../db/open.ts";
import { loginLimits } from "../../db/schema/hub.ts";

/** A fixed-window limit whose counts every hub replica on one database shares. */
export interface SharedLimiter {
  /** Counts one event for `key`; refuses it when the window is full. */
  hit(key: string): Promise<LimitResult>;
  /** Whether `key` is at its limit now, without counting anything. */
  check(key: string): Promise<LimitResult>;
}

export interface DbLimiterOptions {
  /** Names the limit; rows of different limits never mix. */
  name: string;
  limit: number;
  windowMs: number;
  now: () => number;
}

/** Keys are addresses and emails: only their digest is stored. */
const digest = (key: string) => createHash("sha256").update(key).digest("hex");

/**
 * Fixed-window counters in `hub.login_limits`. Each hit is one INSERT … ON CONFLICT DO UPDATE
 * that starts a new window or adds one to the current one (capped at limit + 1) and returns
 * the result, so concurrent hits on any replica each count: no read-modify-write.
 * Rows of finished windows are deleted at most once per window per process.
 */
export class DbLimiter implements SharedLimiter {
  private lastSweep = 0;

  constructor(
    private readonly db: Db,
    private readonly options: DbLimiterOptions,
  ) {}

  async hit(key: string): Promise<LimitResult> {
    const { name, limit, windowMs } = this.options;
    const t = this.options.now();
    await this.sweep(t);
    const startedAt = new Date(t);
    // `login_limits.` is the existing row, `excluded.` the one this hit proposed.
    const cutoff = new Date(t - windowMs).toISOString();
    const finished = sql`"login_limits"."window_started_at" <= ${cutoff}::timestamptz`;
    const [row] = await this.db
      .insert(loginLimits)
      .values({ limitName: name, keyHash: digest(key), windowStartedAt: startedAt, count: 1 })
      .onConflictDoUpdate({
        target: [loginLimits.limitName, loginLimits.keyHash],
        set: {
          windowStartedAt: sql`case when ${finished} then excluded."window_started_at" else "login_limits"."window_started_at" end`,
          count: sql`case when ${finished} then 1 else least("login_limits"."count" + 1, ${limit + 1}::int) end`,
        },
      })
      .returning({ count: loginLimits.count, windowStartedAt: loginLimits.windowStartedAt });
    if (!row) throw new Error(`login limit ${name}: the upsert returned no row`);
    return row.count <= limit ? { ok: true } : this.refusal(row.windowStartedAt, t);
  }

  async check(key: string): Promise<LimitResult> {
    const { name, limit, windowMs } = this.options;
    const t = this.options.now();
    const [row] = await this.db
      .select({ count: loginLimits.count, windowStartedAt: loginLimits.windowStartedAt })
      .from(loginLimits)
      .where(
        and(
          eq(loginLimits.limitName, name),
          eq(loginLimits.keyHash, digest(key)),
          gt(loginLimits.windowStartedAt, new Date(t - windowMs)),
        ),
      );
    return !row || row.count < limit ? { ok: true } : this.refusal(row.windowStartedAt, t);
  }

  private refusal(startedAt: Date, t: number): LimitResult {
    const left = startedAt.getTime() + this.options.windowMs - t;
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(left / 1000)) };
  }

  private async sweep(t: number): Promise<void> {
    if (t - this.lastSweep < this.options.windowMs) return;
    this.lastSweep = t;
    await this.db
      .delete(loginLimits)
      .where(
        and(
          eq(loginLimits.limitName, this.options.name),
          lte(loginLimits.windowStartedAt, new Date(t - this.options.windowMs)),
        ),
      );
  }
}

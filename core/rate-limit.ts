/** The outcome of counting one event against a limit. */
export type LimitResult = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * Fixed-window counters in memory: at most `limit` events per key per `windowMs`.
 * Clock injected. Old windows are swept as new keys arrive, so memory stays bounded by
 * the keys active within one window.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { startedAt: number; count: number }>();
  private lastSweep = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one event for `key`; refuses it (without counting) when the window is full. */
  hit(key: string): LimitResult {
    const t = this.now();
    this.sweep(t);
    let window = this.windows.get(key);
    if (!window || t - window.startedAt >= this.windowMs) {
      window = { startedAt: t, count: 0 };
      this.windows.set(key, window);
    }
    if (window.count >= this.limit) return this.refusal(window.startedAt, t);
    window.count += 1;
    return { ok: true };
  }

  /** Whether `key` is at its limit now, without counting anything. */
  check(key: string): LimitResult {
    const t = this.now();
    const window = this.windows.get(key);
    if (!window || t - window.startedAt >= this.windowMs || window.count < this.limit) return { ok: true };
    return this.refusal(window.startedAt, t);
  }

  private refusal(startedAt: number, t: number): LimitResult {
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((startedAt + this.windowMs - t) / 1000)) };
  }

  private sweep(t: number): void {
    if (t - this.lastSweep < this.windowMs) return;
    this.lastSweep = t;
    for (const [key, window] of this.windows) {
      if (t - window.startedAt >= this.windowMs) this.windows.delete(key);
    }
  }
}

/** How the watch decides a child has hung; the clock and the probe are injectable for tests. */
export interface HealthWatchOptions {
  url: string;
  /** A child that answered before and has not answered 200 for this long is declared hung. */
  unhealthyAfterMs: number;
  intervalMs?: number;
  /** Called once per hang, with how long the child has been silent. */
  onHung: (silentMs: number) => void;
  check?: (url: string) => Promise<boolean>;
  now?: () => number;
}

/** GET `url` answered 200 within 2 s. */
export async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * Polls a child's /healthz. Until the child has answered once it only waits (a shop seeding its
 * catalogue is slow, not hung); afterwards silence for `unhealthyAfterMs` calls `onHung` once.
 * A process that exits is the supervisor's business; this catches one that stays up but stuck.
 */
export class HealthWatch {
  readonly #o: Required<HealthWatchOptions>;
  #timer: NodeJS.Timeout | undefined;
  #lastOk: number | undefined;
  #checking = false;

  constructor(options: HealthWatchOptions) {
    this.#o = { intervalMs: 2_000, check: answers, now: Date.now, ...options };
  }

  start(): void {
    this.#timer ??= setInterval(() => void this.tick(), this.#o.intervalMs).unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One probe; exposed so tests can drive it without waiting. */
  async tick(): Promise<void> {
    if (this.#checking) return this.#judge();
    this.#checking = true;
    try {
      if (await this.#o.check(this.#o.url)) this.#lastOk = this.#o.now();
    } finally {
      this.#checking = false;
    }
    this.#judge();
  }

  #judge(): void {
    if (this.#lastOk === undefined || !this.#timer) return;
    const silent = this.#o.now() - this.#lastOk;
    if (silent < this.#o.unhealthyAfterMs) return;
    this.stop();
    this.#o.onHung(silent);
  }
}

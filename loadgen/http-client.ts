import { Pool } from "undici";
import type { Failure } from "../core/error-causes.ts";
import type { Clock } from "./clock.ts";
import { Exchange, type ExchangeOwner } from "./http-exchange.ts";

export interface SendOptions {
  method: string;
  /** Path and query, e.g. `/api/products?page=2`. */
  path: string;
  /** An object, or a flat [name, value, …] list (what undici reads without iterating keys). */
  headers?: Record<string, string> | string[] | undefined;
  body?: string | Buffer | undefined;
  /**
   * Keep the body text (journeys that read values); otherwise only its size is counted, and of
   * an error answer (4xx/5xx) the first 512 bytes, for the failure's message.
   */
  readBody?: boolean;
  timeoutMs: number;
}

export interface SendResult {
  /** 0 when no response arrived (see `error`). */
  status: number;
  /** Parsed when first read: most requests never look at them. */
  readonly headers: Record<string, string | string[] | undefined>;
  /** The response's Set-Cookie values, if it sent any. */
  setCookie?: string[] | undefined;
  body: string;
  bytes: number;
  /** When the request was written to a connection (undefined if it never was). */
  sentAt: number | undefined;
  endAt: number;
  /** Transport failure (refused, reset, timeout phase, DNS, TLS); HTTP statuses are classified by the caller. */
  failure?: Failure | undefined;
  /** Cut off by our own shutdown (close(true)): not the target's failure, so not counted. */
  cancelled?: boolean | undefined;
}

/** Marks the warm-up requests, so a target (or its access log) can tell them from the run's. */
export const WARM_UP_HEADER = "x-peakwatch-warm-up";

/**
 * How often requests past their deadline are looked for: a twentieth of the shortest timeout
 * sent, within these bounds, so a timeout fires at most 5 % (and 100 ms) late, and one sweep a
 * second or so is all a long timeout costs.
 */
const SWEEP_MIN_MS = 10;
const SWEEP_MAX_MS = 100;

/**
 * A bounded connection pool to one origin. Never throws: transport failures come back as
 * `error` so executors count them. `sentAt` is taken when undici writes the request to a
 * socket, so service time excludes waiting for a free connection. Each request runs on a
 * pooled Exchange (no closures or timers of its own); a sweep enforces total deadlines.
 */
export class HttpClient implements ExchangeOwner {
  private readonly pool: Pool;
  closing = false;
  private readonly free: Exchange[] = [];
  /** Every exchange made, free or in flight, for the deadline sweep; as many as ever ran at once. */
  private readonly exchanges: Exchange[] = [];
  private sweep: NodeJS.Timeout | undefined;
  private sweepMs = Number.POSITIVE_INFINITY;
  /** Requests dispatched whose result was not yet handed over (on a connection or queued for one). */
  inflight = 0;
  /**
   * Called after each request's result was handed over while fewer than `connections` requests
   * are in flight: a caller holding work back until a connection is free starts it here.
   */
  onFree: (() => void) | undefined;

  constructor(
    origin: string,
    private readonly clock: Clock,
    /** Connections to the origin at most; requests beyond them wait in the pool's queue. */
    readonly connections: number,
    /** Longest wait for a TCP (and TLS) connection; undici's default is 10 s. */
    connectTimeoutMs = 10_000,
  ) {
    this.pool = new Pool(origin, {
      connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      connectTimeout: connectTimeoutMs,
    });
  }

  /** Sweeps at least every twentieth of `timeoutMs` (SWEEP_MIN_MS–SWEEP_MAX_MS); never slower. */
  private sweepFor(timeoutMs: number): void {
    const every = Math.min(SWEEP_MAX_MS, Math.max(SWEEP_MIN_MS, Math.floor(timeoutMs / 20)));
    if (every >= this.sweepMs || this.closing) return;
    clearInterval(this.sweep);
    this.sweepMs = every;
    this.sweep = setInterval(this.expire, every);
    this.sweep.unref();
  }

  private readonly expire = (): void => {
    const now = this.clock.now();
    for (const exchange of this.exchanges) exchange.expire(now);
  };

  /** True while every connection has a request (more would wait in the pool's queue). */
  get busy(): boolean {
    return this.inflight >= this.connections;
  }

  /**
   * Sends one request; `done` gets its result exactly once (never throws), possibly before this
   * returns. `options` must stay unchanged until then (it is read when a connection takes it).
   */
  dispatch(options: SendOptions, done: (result: SendResult) => void): void {
    let exchange = this.free.pop();
    if (!exchange) {
      exchange = new Exchange(this.clock, this);
      this.exchanges.push(exchange);
    }
    this.inflight++;
    if (options.timeoutMs > 0 && options.timeoutMs < this.sweepMs * 20) this.sweepFor(options.timeoutMs);
    this.pool.dispatch(exchange.start(options, done), exchange);
  }

  release(exchange: Exchange): void {
    this.inflight--;
    this.free.push(exchange);
  }

  settled(): void {
    if (this.onFree !== undefined && this.inflight < this.connections) this.onFree();
  }

  send(options: SendOptions): Promise<SendResult> {
    return new Promise((resolve) => this.dispatch(options, resolve));
  }

  /**
   * Opens up to `connections` keep-alive connections before the run's first arrival, each
   * carrying one `GET path` (marked with WARM_UP_HEADER) whose answer, any status, is discarded, so the run's first
   * requests neither wait for a TCP handshake nor run through cold code. Returns how many
   * answered and how long it took; never throws.
   */
  async warm(
    connections: number,
    path: string,
    timeoutMs: number,
  ): Promise<{ answered: number; ms: number }> {
    const started = this.clock.now();
    const replies = await Promise.all(
      Array.from({ length: connections }, () =>
        this.send({ method: "GET", path, timeoutMs, headers: { [WARM_UP_HEADER]: "1" } }),
      ),
    );
    return { answered: replies.filter((r) => r.status > 0).length, ms: this.clock.now() - started };
  }

  /** Closes the pool; in-flight requests are aborted when `force` is set. */
  async close(force = false): Promise<void> {
    this.closing = true;
    clearInterval(this.sweep);
    if (force) await this.pool.destroy();
    else await this.pool.close();
  }
}

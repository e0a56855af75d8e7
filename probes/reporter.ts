import { setTimeout as sleep } from "node:timers/promises";
import type { ProbeResult } from "../core/probe-result.ts";

export interface ReporterOptions {
  /** The hub's base URL; results go to `${hubUrl}/api/v1/ingest/probe-results`. */
  hubUrl: string;
  token: string;
  batchSize?: number;
  /** How often a non-empty buffer is sent while the hub answers. */
  flushIntervalMs?: number;
  /** Results kept while the hub is away; beyond it the oldest are dropped and counted. */
  maxBuffered?: number;
  /** First retry pause; doubles per failure up to `maxBackoffMs`, with jitter. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  requestTimeoutMs?: number;
  fetch?: typeof fetch;
  random?: () => number;
  log?: (line: string) => void;
}

/** Counters the /metrics endpoint shows. */
export interface ReporterStats {
  /** Results not yet acknowledged by the hub (queued or in a request). */
  buffered: number;
  sent: number;
  dropped: number;
  /** Results the hub refused as invalid (400): retrying would not help. */
  rejected: number;
  /** Failed send attempts (network, timeout, 5xx, 401...). */
  failures: number;
}

/**
 * Sends probe results to the hub in batches. `push` never blocks and never throws: results wait
 * in a bounded buffer (oldest dropped and counted when full) while a single sender posts them,
 * retrying with exponential backoff while the hub is away. A result leaves the buffer only when
 * the hub has acknowledged it; a retried batch may reach the hub twice, and the hub stores each
 * result id once.
 */
export class Reporter {
  readonly #o: Required<Omit<ReporterOptions, "fetch" | "log" | "random">> & {
    fetch: typeof fetch;
    log: (line: string) => void;
    random: () => number;
  };
  #buffer: ProbeResult[] = [];
  /** Results in a request the hub has not answered yet: still undelivered. */
  #inFlight = 0;
  readonly #stats: ReporterStats = { buffered: 0, sent: 0, dropped: 0, rejected: 0, failures: 0 };
  readonly #stop = new AbortController();
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #lastError = "";
  /** Dropping is logged once per outage; the counter in /metrics has the rest. */
  #droppingNoted = false;

  constructor(options: ReporterOptions) {
    this.#o = {
      batchSize: 200,
      flushIntervalMs: 1000,
      maxBuffered: 10_000,
      initialBackoffMs: 500,
      maxBackoffMs: 10_000,
      requestTimeoutMs: 5000,
      fetch: globalThis.fetch,
      random: Math.random,
      log: (line) => console.error(line),
      ...options,
    };
  }

  get stats(): ReporterStats {
    return { ...this.#stats, buffered: this.#buffer.length + this.#inFlight };
  }

  /** Queues a result. Never blocks; drops the oldest queued result when the buffer is full. */
  push(result: ProbeResult): void {
    this.#buffer.push(result);
    this.#trim();
    if (this.#buffer.length >= this.#o.batchSize) this.#wake?.();
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops the sender after one last attempt to deliver what is buffered (bounded by `graceMs`). */
  async stop(graceMs = 2000): Promise<void> {
    const deadline = performance.now() + graceMs;
    this.#stop.abort();
    this.#wake?.();
    await this.#loop;
    while (this.#buffer.length > 0 && performance.now() < deadline) {
      if (!(await this.#sendOne(Math.max(100, Math.round(deadline - performance.now()))))) break;
    }
  }

  #trim(): void {
    const over = this.#buffer.length - this.#o.maxBuffered;
    if (over > 0) {
      this.#buffer.splice(0, over);
      if (!this.#droppingNoted)
        this.#o.log(`probes: result buffer full (${this.#o.maxBuffered}): dropping the oldest results`);
      this.#droppingNoted = true;
      this.#stats.dropped += over;
    }
  }

  async #run(): Promise<void> {
    let failuresInRow = 0;
    while (!this.#stop.signal.aborted) {
      let pause = this.#o.flushIntervalMs;
      if (this.#buffer.length > 0) {
        const ok = await this.#sendOne(this.#o.requestTimeoutMs);
        failuresInRow = ok ? 0 : failuresInRow + 1;
        if (ok && this.#buffer.length >= this.#o.batchSize) pause = 0;
        if (!ok) {
          const ceiling = Math.min(this.#o.maxBackoffMs, this.#o.initialBackoffMs * 2 ** (failuresInRow - 1));
          pause = ceiling * (0.5 + this.#o.random() / 2);
        }
      }
      if (pause > 0) await this.#sleep(pause);
    }
  }

  /** A pause that `push` (full batch) or `stop` cuts short. */
  async #sleep(ms: number): Promise<void> {
    const woken = new Promise<void>((resolve) => {
      this.#wake = resolve;
    });
    await Promise.race([sleep(ms, undefined, { ref: false }), woken]);
    this.#wake = undefined;
  }

  /** Sends the oldest batch; true when the hub took it (or refused it for good). */
  async #sendOne(timeoutMs: number): Promise<boolean> {
    const batch = this.#buffer.splice(0, this.#o.batchSize);
    if (batch.length === 0) return true;
    let outcome: "sent" | "rejected" | "retry";
    this.#inFlight += batch.length;
    try {
      const response = await this.#o.fetch(
        `${this.#o.hubUrl.replace(/\/$/, "")}/api/v1/ingest/probe-results`,
        {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${this.#o.token}` },
          body: JSON.stringify({ results: batch }),
          signal: AbortSignal.timeout(timeoutMs),
        },
      );
      const text = await response.text().catch(() => "");
      if (response.ok) outcome = "sent";
      else if (response.status === 400 || response.status === 413 || response.status === 422) {
        outcome = "rejected";
        this.#note(`hub refused ${batch.length} probe results (${response.status}): ${text.slice(0, 300)}`);
      } else {
        outcome = "retry";
        this.#note(`hub answered ${response.status} to probe results; retrying: ${text.slice(0, 300)}`);
      }
    } catch (error) {
      outcome = "retry";
      this.#note(`hub unreachable for probe results; retrying: ${(error as Error).message}`);
    } finally {
      this.#inFlight -= batch.length;
    }
    if (outcome === "sent") {
      this.#stats.sent += batch.length;
      if (this.#lastError !== "") this.#o.log("probes: hub reachable again, delivering buffered results");
      this.#lastError = "";
      this.#droppingNoted = false;
    } else if (outcome === "rejected") this.#stats.rejected += batch.length;
    else {
      this.#stats.failures++;
      // Back to the front, in order; if new results filled the buffer meanwhile, the oldest go.
      this.#buffer = batch.concat(this.#buffer);
      this.#trim();
      return false;
    }
    return true;
  }

  /** Logs a failure once per distinct message, so a long outage does not flood the console. */
  #note(line: string): void {
    if (line === this.#lastError) return;
    this.#lastError = line;
    this.#o.log(`probes: ${line}`);
  }
}

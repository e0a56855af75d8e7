import { createHash } from "node:crypto";
import { join } from "node:path";
import { request } from "undici";
import { IngestAnswerSchema, type StopMode } from "../../core/api/ingest.ts";
import type { RunReport } from "../../core/run.ts";
import type { Window } from "../../core/window.ts";
import { sleep } from "../clock.ts";
import type { WindowSink } from "../window-aggregator.ts";
import { Spool } from "./spool.ts";

export interface HubOutputOptions {
  hubUrl: string;
  token: string;
  dataDir: string;
  maxSpoolBytes: number;
  /** Windows per request (the hub accepts up to 5000). */
  batchSize?: number;
  log?: (message: string) => void;
  /** This run's id: the hub's answer may ask it to stop. */
  runId?: string;
  /** Called once when the hub answers that this run was asked to stop (POST /runs/:id/stop). */
  onStop?: (mode: StopMode) => void;
}

type SendOutcome = "ok" | "retry" | "rejected";

/**
 * Sends windows and run reports to the hub. `accept` only enqueues (never blocks the
 * executor); a flusher posts batches each second. While the hub is unreachable, batches go
 * to a bounded on-disk spool and are retried with exponential backoff, oldest first. Replays
 * are safe: the hub upserts windows by their key, so nothing is counted twice. When the hub's
 * answer says the run was asked to stop, `onStop` tells the runner (a pod has no other way to hear it).
 */
export class HubOutput implements WindowSink {
  private readonly queue: Window[] = [];
  private readonly spool: Spool;
  private report: RunReport | undefined;
  private reportDirty = false;
  private failures = 0;
  private retryAt = 0;
  /** Why the last post is to be retried, for the log line of a back-off. */
  private retryCause = "hub unreachable";
  private loop: Promise<void> | undefined;
  private stopping = false;
  private stopHeard = false;
  /** Windows the hub acknowledged. */
  sent = 0;
  /** Windows the hub refused as invalid (a bug, not an outage): logged and dropped. */
  rejected = 0;

  constructor(private readonly options: HubOutputOptions) {
    // One spool per hub, so a later run against the same hub replays what this one left.
    const id = createHash("sha256").update(options.hubUrl).digest("hex").slice(0, 12);
    this.spool = new Spool(join(options.dataDir, "spool", id), options.maxSpoolBytes);
  }

  get discarded(): number {
    return this.spool.discarded;
  }

  /** Batches still waiting (in memory and spooled). */
  get backlog(): number {
    return this.queue.length + this.spool.size;
  }

  accept(windows: ReadonlyArray<Window>): void {
    for (const w of windows) this.queue.push(w);
    // Bound memory too: a long outage moves the queue to disk.
    const batch = this.options.batchSize ?? 500;
    while (this.queue.length > batch * 20) this.spillBatch();
  }

  /** Remembers the run's latest state; sent on the next flush (the hub upserts by runId). */
  setReport(report: RunReport): void {
    this.report = report;
    this.reportDirty = true;
  }

  start(intervalMs = 1000): void {
    this.loop = (async () => {
      while (!this.stopping) {
        await this.flushOnce();
        await sleep(intervalMs);
      }
    })();
  }

  /** Stops the loop and flushes everything, retrying until `deadlineMs` (epoch ms). */
  async close(deadlineMs: number): Promise<{ pending: number }> {
    this.stopping = true;
    await this.loop;
    while (Date.now() < deadlineMs) {
      this.retryAt = Math.min(this.retryAt, Date.now());
      await this.flushOnce();
      if (this.queue.length === 0 && this.spool.size === 0 && !this.reportDirty) break;
      await sleep(Math.min(Math.max(0, this.retryAt - Date.now()), Math.max(0, deadlineMs - Date.now())));
    }
    if (this.queue.length > 0) this.spillAll();
    return { pending: this.spool.size };
  }

  private spillBatch(): void {
    const windows = this.queue.splice(0, this.options.batchSize ?? 500);
    this.spool.push(JSON.stringify({ windows }), windows.length);
  }

  private spillAll(): void {
    while (this.queue.length > 0) this.spillBatch();
  }

  /** One pass: spooled batches first (order), then the queue, then the run report. */
  async flushOnce(): Promise<void> {
    if (Date.now() < this.retryAt) {
      if (this.queue.length > 0) this.spillAll();
      return;
    }
    for (let head = this.spool.peek(); head; head = this.spool.peek()) {
      const outcome = await this.post("/api/v1/ingest/windows", head.body);
      if (outcome === "retry") return this.backOff();
      if (outcome === "rejected") this.rejected += head.count;
      else this.sent += head.count;
      this.spool.remove(head.name);
    }
    while (this.queue.length > 0) {
      const windows = this.queue.splice(0, this.options.batchSize ?? 500);
      const body = JSON.stringify({ windows });
      const outcome = await this.post("/api/v1/ingest/windows", body);
      if (outcome === "retry") {
        this.spool.push(body, windows.length);
        return this.backOff();
      }
      if (outcome === "rejected") this.rejected += windows.length;
      else this.sent += windows.length;
    }
    if (this.report && this.reportDirty) {
      this.reportDirty = false;
      const outcome = await this.post("/api/v1/ingest/runs", JSON.stringify(this.report));
      if (outcome === "retry") {
        this.reportDirty = true;
        return this.backOff();
      }
    }
    this.failures = 0;
  }

  private backOff(): void {
    this.failures++;
    const base = Math.min(30_000, 250 * 2 ** Math.min(this.failures, 8));
    this.retryAt = Date.now() + base / 2 + Math.random() * (base / 2);
    if (this.failures === 1) this.options.log?.(`${this.retryCause}: spooling windows to disk and retrying`);
  }

  /** Calls `onStop` (once) when the hub's answer asks this run to stop. */
  private heed(answer: string): void {
    const { runId, onStop } = this.options;
    if (this.stopHeard || !runId || !onStop || !answer.includes('"stop"')) return;
    let parsed: ReturnType<typeof IngestAnswerSchema.safeParse>;
    try {
      parsed = IngestAnswerSchema.safeParse(JSON.parse(answer));
    } catch {
      return;
    }
    const mode = parsed.success ? parsed.data.stop?.[runId] : undefined;
    if (!mode) return;
    this.stopHeard = true;
    onStop(mode);
  }

  private async post(path: string, body: string): Promise<SendOutcome> {
    try {
      const r = await request(new URL(path, this.options.hubUrl), {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${this.options.token}` },
        body,
        headersTimeout: 10_000,
        bodyTimeout: 10_000,
      });
      const text = await r.body.text();
      if (r.statusCode < 300) {
        this.heed(text);
        return "ok";
      }
      // Outages and overload are retried; a refused body would be refused forever.
      if (r.statusCode >= 500 || r.statusCode === 408 || r.statusCode === 429) {
        this.retryCause =
          r.statusCode === 429
            ? "hub busy (429, it asks agents to back off)"
            : `hub answered ${r.statusCode}`;
        return "retry";
      }
      this.options.log?.(`hub refused ${path} (${r.statusCode}): ${text.slice(0, 300)}`);
      if (r.statusCode !== 401 && r.statusCode !== 403) return "rejected";
      this.retryCause = `hub refused the agent token (${r.statusCode})`;
      return "retry";
    } catch {
      this.retryCause = "hub unreachable";
      return "retry";
    }
  }
}

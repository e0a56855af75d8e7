import { loggable } from "../../db/loggable-error.ts";
import type { Notification } from "./notification.ts";
import type { Notifier, SendResult } from "./notifier.ts";
import { redactSecrets } from "./redact.ts";

export const deliveryStatuses = ["queued", "retrying", "sent", "failed"] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

/** One line of the delivery log, written as a delivery progresses. */
export interface DeliveryEntry {
  id: string;
  /** The channel's project: deliveries are listed per project. */
  projectId: string;
  channel: string;
  channelKind: string;
  groupKey: string;
  kind: "firing" | "resolved" | "reminder" | "test";
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  summary: string;
  at: number;
}

/** Where the queue reports progress; must not throw and must not block (write-behind). */
export type DeliveryLog = (entry: DeliveryEntry) => void;

export interface QueueOptions {
  /** Per-attempt timeout: a hanging receiver is cut off here. */
  timeoutMs: number;
  maxAttempts: number;
  /** First retry delay; doubles per attempt, ±20 % jitter, capped at five minutes. */
  backoffMs: number;
  now: () => number;
  log: DeliveryLog;
}

export interface QueuedDelivery {
  channel: { name: string; kind: string; project: { id: string } };
  notifier: Notifier;
  notification: Notification;
  kind: DeliveryEntry["kind"];
  summary: string;
  /**
   * Resolves once the notice is recorded as pending (at-least-once): nothing is sent before. A
   * failed write is logged and the notice sent anyway, since a lost notice is worse than a repeat.
   */
  recorded?: Promise<void>;
  /** Called once the delivery is over: sent, or failed for good (not when the queue stops). */
  settled?: (status: "sent" | "failed") => void;
}

const MAX_BACKOFF_MS = 5 * 60 * 1000;

/** The delay before retry number `attempt` (1-based count of failures so far). */
export function backoffDelay(attempt: number, baseMs: number, random = Math.random): number {
  const exact = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** (attempt - 1));
  return Math.round(exact * (0.8 + 0.4 * random()));
}

/**
 * Delivers notifications with one FIFO lane per channel: a channel's notices arrive in order
 * (firing before its resolved), while a slow or hanging channel only ever delays itself.
 * `enqueue` never blocks; attempts time out; retryable failures back off and retry.
 */
export class DeliveryQueue {
  private readonly lanes = new Map<string, { items: QueuedDelivery[]; running: Promise<void> | null }>();
  private readonly stopping = new AbortController();

  constructor(private readonly options: QueueOptions) {}

  /** Queues a delivery and returns at once. */
  enqueue(delivery: QueuedDelivery): void {
    if (this.stopping.signal.aborted) return;
    this.report(delivery, "queued", 0, null);
    let lane = this.lanes.get(delivery.channel.name);
    if (!lane) {
      lane = { items: [], running: null };
      this.lanes.set(delivery.channel.name, lane);
    }
    lane.items.push(delivery);
    if (!lane.running) {
      const current = lane;
      current.running = this.drain(current).finally(() => {
        current.running = null;
      });
    }
  }

  /** Resolves when every lane is empty (tests, shutdown). */
  async idle(): Promise<void> {
    for (;;) {
      const running = [...this.lanes.values()].map((l) => l.running).filter((r) => r !== null);
      if (running.length === 0) return;
      await Promise.all(running);
    }
  }

  /** Drops what is queued, aborts attempts and backoff waits, and waits for the lanes to stop. */
  async stop(): Promise<void> {
    this.stopping.abort();
    for (const lane of this.lanes.values()) lane.items.length = 0;
    await this.idle();
  }

  private async drain(lane: { items: QueuedDelivery[] }): Promise<void> {
    for (let next = lane.items.shift(); next; next = lane.items.shift()) await this.deliver(next);
  }

  private async deliver(d: QueuedDelivery): Promise<void> {
    await d.recorded?.catch((error) =>
      console.error(
        `alerting: recording notice ${d.notification.id} failed; sending it anyway:`,
        loggable(error),
      ),
    );
    for (let attempt = 1; attempt <= this.options.maxAttempts; attempt++) {
      if (this.stopping.signal.aborted) return;
      const result = await this.attempt(d);
      // Cut off by shutdown: neither sent nor failed; a pending notice is re-sent by the next leader.
      if (!result.ok && this.stopping.signal.aborted) return;
      if (result.ok) {
        this.report(d, "sent", attempt, null);
        return d.settled?.("sent");
      }
      const last = attempt === this.options.maxAttempts || !result.retryable;
      this.report(d, last ? "failed" : "retrying", attempt, result.error);
      if (last) return d.settled?.("failed");
      await this.sleep(backoffDelay(attempt, this.options.backoffMs));
    }
  }

  private async attempt(d: QueuedDelivery): Promise<SendResult> {
    const signal = AbortSignal.any([AbortSignal.timeout(this.options.timeoutMs), this.stopping.signal]);
    try {
      // A notifier that ignores its signal still cannot hold the lane past the timeout.
      const gaveUp = new Promise<SendResult>((resolve) => {
        const onAbort = () => resolve({ ok: false, retryable: true, error: "timed out" });
        if (signal.aborted) onAbort();
        else signal.addEventListener("abort", onAbort, { once: true });
      });
      return await Promise.race([d.notifier.send(d.notification, signal), gaveUp]);
    } catch (error) {
      return { ok: false, retryable: true, error: error instanceof Error ? error.message : String(error) };
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const signal = this.stopping.signal;
      const onAbort = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  private report(d: QueuedDelivery, status: DeliveryStatus, attempts: number, error: string | null): void {
    try {
      this.options.log({
        id: d.notification.id,
        projectId: d.channel.project.id,
        channel: d.channel.name,
        channelKind: d.channel.kind,
        groupKey: d.notification.groupKey,
        kind: d.kind,
        status,
        attempts,
        // Receivers and HTTP clients quote URLs in errors; channel URLs are secrets.
        lastError: error === null ? null : redactSecrets(error),
        summary: d.summary,
        at: this.options.now(),
      });
    } catch (error) {
      console.error("alerting: delivery log failed:", loggable(error));
    }
  }
}

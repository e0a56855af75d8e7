import { WebSocket } from "ws";
import { describeZodError } from "../../core/http/validate.ts";
import {
  type ClientMessage,
  ClientMessageSchema,
  liveCloseCodes,
  runTopic,
  type ServerMessage,
  type Topic,
} from "../../core/live.ts";
import type { Principal } from "../http/env.ts";
import type { HubMetrics } from "../metrics/hub-metrics.ts";
import { LiveClient } from "./client.ts";
import { TickWriter, textFrame } from "./frames.ts";
import { SendQueue } from "./send-queue.ts";

/** Reads alert events after a seq, oldest first (the alert log), each with its project. */
export type AlertHistory = (
  afterSeq: number,
  limit: number,
) => Promise<Array<{ seq: number; data: Buffer; projectId: string }>>;

export interface LiveHubOptions {
  metrics: HubMetrics;
  alertHistory: AlertHistory;
  /** A client whose unsent bytes pass this is cut off (it may reconnect and resume). */
  maxBufferBytes: number;
  /** Past this many unsent bytes live windows are coalesced (newest per run kept) instead of queued. */
  coalesceAboveBytes?: number;
  heartbeatMs: number;
  /** Most live alerts held for one client while its missed ones are replayed. */
  maxReplayQueue?: number;
  /** Most time one event-loop turn spends on live sends, ms (LIVE_SLICE_MS); the rest waits for the next turn. */
  sliceMs?: number;
  /** Most sends (one client, one message) queued behind the slices (MAX_QUEUED_SENDS); see SendQueue. */
  maxQueuedSends?: number;
  /** Checked at each heartbeat: false closes the client with 4001 (session ended, user expired). */
  stillAllowed?: (principal: Principal) => Promise<boolean>;
  /**
   * The project a run id belongs to (as a run or by its windows), undefined when unknown. With it,
   * `run:<id>` is refused unless the run is stored in the client's project.
   */
  runProject?: (runId: string) => Promise<string | undefined>;
}

/**
 * The subscription key of a topic in a project. `run:<id>` topics are global (run ids are), and
 * subscribing to another project's run is refused; `runs`, `probes` and `alerts` are per project.
 */
function topicKey(topic: Topic, projectId: string): string {
  return topic.startsWith("run:") ? topic : `${projectId}/${topic}`;
}

const REPLAY_PAGE = 500;

/**
 * Most time one event-loop turn spends writing live messages, ms. A broadcast to 10,000 clients
 * takes 100–400 ms of socket writes (the kernel's share is the floor); sent in slices of this
 * much, ingest, /healthz and every other request get a turn in between.
 */
export const LIVE_SLICE_MS = 10;

/**
 * Most sends (one message to one client) waiting in the send queue: about 20 broadcasts to
 * 10,000 clients, a few seconds of writes. Past it the hub sends the whole queue at once, as it
 * did before slicing: nothing is lost or reordered, and blocking its event loop throttles the
 * ingest that produces the broadcasts instead of growing memory.
 */
export const MAX_QUEUED_SENDS = 200_000;

/** Serialises a message once; the same bytes go to every subscriber (no per-client copies). */
export function encodeMessage(message: ServerMessage): Buffer {
  return Buffer.from(JSON.stringify(message));
}

/**
 * Topic fan-out to WebSocket clients. Never lets a client grow the hub's memory: windows are
 * coalesced for slow readers, anything past the buffer cap closes the client; heartbeats drop
 * dead peers. Alert events are delivered in seq order exactly once, including a reconnecting
 * client's missed ones.
 */
export class LiveHub {
  readonly #clients = new Set<LiveClient>();
  /** Subscribers by topicKey(). */
  readonly #byTopic = new Map<string, Set<LiveClient>>();
  readonly #coalesceAbove: number;
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #writer: TickWriter;
  /** Every live send not yet made, in the order produced (send-queue.ts). */
  readonly #sends: SendQueue;
  /** A flush of coalesced windows waits in the queue (behind what was produced before it). */
  #flushQueued = false;
  /** Largest unsent buffer seen on any client (bytes), for tests and metrics. */
  peakBufferedBytes = 0;

  constructor(private readonly options: LiveHubOptions) {
    this.#coalesceAbove = options.coalesceAboveBytes ?? Math.min(64 * 1024, options.maxBufferBytes / 4);
    this.#writer = new TickWriter((seconds) => options.metrics.liveSendSeconds.observe(seconds));
    this.#sends = new SendQueue({
      writer: this.#writer,
      sliceMs: options.sliceMs ?? LIVE_SLICE_MS,
      maxQueuedSends: options.maxQueuedSends ?? MAX_QUEUED_SENDS,
      // Half the coalescing threshold: a fast client's batch never makes it look slow.
      batchBytes: this.#coalesceAbove / 2,
      onQueueFull: () => options.metrics.liveSendQueueFull.inc(),
      onBroadcastSent: (seconds) => options.metrics.liveBroadcastSeconds.observe(seconds),
    });
    this.#timers.push(setInterval(() => this.#heartbeat(), options.heartbeatMs).unref());
    this.#timers.push(setInterval(() => this.flushPending(), 250).unref());
  }

  get clientCount(): number {
    return this.#clients.size;
  }

  /** Messages held back for slow or resuming clients (coalesced windows, queued alerts). */
  get heldBack(): { windows: number; alerts: number } {
    let windows = 0;
    let alerts = 0;
    for (const c of this.#clients) {
      windows += c.pendingWindows.size;
      alerts += c.alertQueue.length;
    }
    return { windows, alerts };
  }

  /** Sends (one message to one client) waiting behind the current slice. */
  get queuedSends(): number {
    return this.#sends.queuedSends;
  }

  hasSubscribers(topic: Topic, projectId: string): boolean {
    return (this.#byTopic.get(topicKey(topic, projectId))?.size ?? 0) > 0;
  }

  /** The projects whose `topic` (a per-project one: runs, probes, alerts) someone here follows. */
  projectsFollowing(topic: Topic): string[] {
    const projects = new Set<string>();
    for (const client of this.#clients) if (client.topics.has(topic)) projects.add(client.projectId);
    return [...projects];
  }

  /** Whether anyone follows the run (its subscribers were held to its project when they subscribed). */
  hasRunSubscribers(runId: string): boolean {
    return (this.#byTopic.get(topicKey(runTopic(runId), ""))?.size ?? 0) > 0;
  }

  /** Takes over an open socket of an authenticated principal, carrying one project's data. */
  add(ws: WebSocket, principal: Principal, projectId: string): LiveClient {
    const client = new LiveClient(ws, principal, projectId);
    this.#clients.add(client);
    this.options.metrics.liveClients.set(this.#clients.size);
    ws.on("pong", () => {
      client.alive = true;
    });
    ws.on("message", (raw, isBinary) => {
      void this.#onMessage(client, isBinary ? null : raw.toString());
    });
    ws.on("close", () => this.#remove(client));
    ws.on("error", () => this.#remove(client));
    return client;
  }

  /** Sends `message` to every subscriber of the project's `topic`; window messages may be coalesced per run. */
  broadcast(topic: Topic, message: ServerMessage, projectId: string): void {
    const subscribers = this.#byTopic.get(topicKey(topic, projectId));
    if (!subscribers || subscribers.size === 0) return;
    const started = performance.now();
    const data = encodeMessage(message);
    const frame = textFrame(data);
    this.options.metrics.liveMessages.inc({ type: message.type }, subscribers.size);
    let deliver: (client: LiveClient) => void;
    if (message.type === "window") {
      const { runId } = message;
      deliver = (client) => this.#sendWindow(client, runId, data, frame);
    } else if (message.type === "alert") {
      const { seq } = message.event;
      deliver = (client) => this.#deliverAlert(client, seq, data, false, frame);
    } else {
      deliver = (client) => this.#send(client, data, frame);
    }
    this.#writer.spent(performance.now() - started);
    this.#broadcastJob(topic, subscribers, data.length, deliver);
  }

  /** Sends `message` to the run's subscribers (held to the run's project when they subscribed). */
  broadcastRun(runId: string, message: ServerMessage): void {
    this.broadcast(runTopic(runId), message, "");
  }

  /** Sends an already encoded alert (from the alert log) to `topic`'s subscribers. */
  broadcastEncoded(topic: Topic, type: "alert", data: Buffer, seq: number, projectId: string): void {
    const subscribers = this.#byTopic.get(topicKey(topic, projectId));
    if (!subscribers || subscribers.size === 0) return;
    const started = performance.now();
    this.options.metrics.liveMessages.inc({ type }, subscribers.size);
    const frame = textFrame(data);
    this.#writer.spent(performance.now() - started);
    this.#broadcastJob(topic, subscribers, data.length, (client) =>
      this.#deliverAlert(client, seq, data, false, frame),
    );
  }

  /**
   * Sends coalesced windows to clients that have caught up. Behind queued sends it waits its
   * turn in the queue, so a window held back never overtakes what was produced before it.
   */
  flushPending(): void {
    if (this.#sends.queuedSends === 0) {
      for (const client of this.#clients) this.#flushClient(client);
      return;
    }
    if (this.#flushQueued) return;
    const waiting = [...this.#clients].filter((client) => client.pendingWindows.size > 0);
    if (waiting.length === 0) return;
    this.#flushQueued = true;
    this.#sends.enqueue({
      clients: waiting,
      bytes: Number.POSITIVE_INFINITY,
      deliver: (client) => {
        this.#flushQueued = false;
        if (this.#clients.has(client)) this.#flushClient(client);
      },
    });
  }

  #flushClient(client: LiveClient): void {
    if (client.pendingWindows.size === 0 || client.ws.bufferedAmount > this.#coalesceAbove) return;
    const pending = [...client.pendingWindows.values()];
    client.pendingWindows.clear();
    for (const data of pending) this.#send(client, data);
  }

  /**
   * Queues `deliver` for a snapshot of `subscribers`; a client that has since left the topic (or
   * the hub: #remove unsubscribes it) is skipped when its turn comes.
   */
  #broadcastJob(
    topic: Topic,
    subscribers: Set<LiveClient>,
    bytes: number,
    deliver: (client: LiveClient) => void,
  ): void {
    this.#sends.enqueue({
      clients: [...subscribers],
      bytes,
      deliver: (client) => {
        if (client.topics.has(topic)) deliver(client);
      },
      madeAt: performance.now(),
    });
  }

  /**
   * One client's message (a reply, a replayed alert) at its place in the order: at once when
   * nothing is queued, else behind what is.
   */
  #direct(client: LiveClient, bytes: number, deliver: () => void): void {
    if (this.#sends.idle) deliver();
    else this.#sends.enqueue({ clients: [client], bytes, deliver });
  }

  /**
   * Closes every client with 1001 (going away: reconnect later) and stops the timers. A client
   * that does not answer the close frame within `graceMs` is cut off.
   */
  async close(graceMs = 1000): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    const clients = [...this.#clients];
    const closed = clients.map(
      (client) =>
        new Promise<void>((resolve) => {
          if (client.ws.readyState === client.ws.CLOSED) return resolve();
          client.ws.once("close", () => resolve());
          client.ws.close(1001, "hub shutting down");
        }),
    );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(closed), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    for (const client of clients) client.ws.terminate();
    this.#clients.clear();
    this.#byTopic.clear();
    this.#sends.clear();
  }

  async #onMessage(client: LiveClient, text: string | null): Promise<void> {
    let message: ClientMessage;
    try {
      const parsed = ClientMessageSchema.safeParse(text === null ? null : JSON.parse(text));
      if (!parsed.success) {
        this.#reply(client, {
          type: "error",
          code: "bad_request",
          message: describeZodError(parsed.error, "message"),
        });
        return;
      }
      message = parsed.data;
    } catch {
      this.#reply(client, { type: "error", code: "bad_request", message: "message: not valid JSON" });
      return;
    }
    if (message.type === "ping") {
      this.#reply(client, { type: "pong" });
    } else if (message.type === "unsubscribe") {
      for (const topic of message.topics) this.#unsubscribe(client, topic);
    } else {
      await this.#subscribe(client, message.topics, message.lastAlertSeq);
    }
  }

  async #subscribe(
    client: LiveClient,
    topics: ReadonlyArray<Topic>,
    lastAlertSeq: number | undefined,
  ): Promise<void> {
    const wantsAlerts = topics.includes("alerts") && !client.topics.has("alerts");
    for (const topic of topics) {
      if (topic.startsWith("run:") && !(await this.#runVisible(client, topic.slice(4)))) {
        this.#reply(client, { type: "error", code: "not_found", message: `no run ${topic.slice(4)}` });
        continue;
      }
      client.topics.add(topic);
      const key = topicKey(topic, client.projectId);
      const set = this.#byTopic.get(key) ?? new Set<LiveClient>();
      this.#byTopic.set(key, set);
      set.add(client);
    }
    if (wantsAlerts && lastAlertSeq !== undefined) {
      // Live alerts reaching this client during the replay (sent or still queued) wait behind it in
      // client.alertQueue; the cursor drops duplicates. The replayed alerts and the end of the replay
      // take their place in the send queue like any reply.
      client.replaying = true;
      let completed = false;
      try {
        let after = Math.max(lastAlertSeq, client.alertCursor);
        client.alertCursor = after;
        for (;;) {
          const page = await this.options.alertHistory(after, REPLAY_PAGE);
          for (const event of page) {
            if (event.projectId === client.projectId)
              this.#direct(client, event.data.length, () =>
                this.#deliverAlert(client, event.seq, event.data, true),
              );
          }
          if (page.length < REPLAY_PAGE) break;
          after = page[page.length - 1]!.seq;
        }
        completed = true;
      } finally {
        // Sends the alerts held during the replay: never batched behind another job (unknown size).
        this.#direct(client, Number.POSITIVE_INFINITY, () => {
          client.replaying = false;
          if (!completed) return;
          const queued = client.alertQueue.splice(0);
          for (const event of queued) this.#deliverAlert(client, event.seq, event.data);
        });
      }
    }
    this.#reply(client, { type: "subscribed", topics: [...client.topics] });
  }

  /** A direct reply to one client, after whatever was produced for it before. */
  #reply(client: LiveClient, message: ServerMessage): void {
    const data = encodeMessage(message);
    this.#direct(client, data.length, () => this.#send(client, data));
  }

  #unsubscribe(client: LiveClient, topic: Topic): void {
    client.topics.delete(topic);
    const key = topicKey(topic, client.projectId);
    const set = this.#byTopic.get(key);
    set?.delete(client);
    if (set?.size === 0) this.#byTopic.delete(key);
  }

  /**
   * A run another project holds does not exist for this client: both are refused alike (same
   * query, same answer), so a refusal never tells whether the run exists elsewhere.
   */
  async #runVisible(client: LiveClient, runId: string): Promise<boolean> {
    if (!this.options.runProject) return true;
    return (await this.options.runProject(runId)) === client.projectId;
  }

  #deliverAlert(client: LiveClient, seq: number, data: Buffer, fromReplay = false, frame?: Buffer): void {
    if (client.replaying && !fromReplay) {
      client.alertQueue.push({ seq, data });
      if (client.alertQueue.length > (this.options.maxReplayQueue ?? 10_000))
        this.#cutOff(client, "replay_queue");
      return;
    }
    if (seq <= client.alertCursor) return;
    client.alertCursor = seq;
    this.#send(client, data, frame);
  }

  #sendWindow(client: LiveClient, runId: string, data: Buffer, frame?: Buffer): void {
    if (client.ws.bufferedAmount > this.#coalesceAbove || client.pendingWindows.size > 0) {
      if (client.pendingWindows.has(runId)) this.options.metrics.liveCoalesced.inc();
      client.pendingWindows.set(runId, data);
      return;
    }
    this.#send(client, data, frame);
  }

  /** `frame`: the message framed once for every client (frames.ts); absent, ws frames it. Batched per turn. */
  #send(client: LiveClient, data: Buffer, frame?: Buffer): void {
    const { ws } = client;
    if (ws.readyState !== WebSocket.OPEN) return;
    // The buffered amount grows only when the peer stops reading; past the cap the client goes.
    if (ws.bufferedAmount + data.length > this.options.maxBufferBytes) {
      this.#cutOff(client, "too_slow");
      return;
    }
    this.#writer.write(ws, data, frame);
    if (ws.bufferedAmount > this.peakBufferedBytes) this.peakBufferedBytes = ws.bufferedAmount;
  }

  #cutOff(client: LiveClient, reason: string): void {
    this.options.metrics.liveDropped.inc({ reason });
    // A slow peer would never read a close frame in time: drop the socket and its buffers now.
    client.ws.terminate();
    this.#remove(client);
  }

  #remove(client: LiveClient): void {
    if (!this.#clients.delete(client)) return;
    for (const topic of client.topics) this.#unsubscribe(client, topic);
    client.pendingWindows.clear();
    client.alertQueue.length = 0;
    this.options.metrics.liveClients.set(this.#clients.size);
  }

  #heartbeat(): void {
    for (const client of this.#clients) {
      if (!client.alive) {
        this.#cutOff(client, "heartbeat");
        continue;
      }
      client.alive = false;
      client.ws.ping();
      const check = this.options.stillAllowed;
      if (check && client.principal.kind === "user") {
        void check(client.principal)
          .then((ok) => {
            if (ok) return;
            this.options.metrics.liveDropped.inc({ reason: "unauthorized" });
            client.ws.close(liveCloseCodes.unauthorized, "session ended");
          })
          .catch(() => {});
      }
    }
  }
}

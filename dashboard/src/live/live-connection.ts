import type { ClientMessage } from "../../../core/live.ts";
import { currentProject } from "../api/project.ts";
import { type LiveMessage, type LiveTopic, parseLiveMessage } from "./messages.ts";

/** core/live.ts liveCloseCodes.unauthorized, restated to keep zod out of the bundle. */
const UNAUTHORIZED = 4001;
/** WebSocket.OPEN (a literal, so the class works where no global WebSocket exists). */
const OPEN = 1;
/** Alert seqs remembered for deduplication; far more than one replay page. */
const SEEN_LIMIT = 5000;

export type LiveStatus = "connecting" | "open" | "reconnecting" | "closed";
type Listener = (message: LiveMessage) => void;

export interface LiveConnectionOptions {
  url?: string;
  /** First reconnect delay; doubles up to `maxDelayMs`, with jitter so a restarted hub is not stampeded. */
  minDelayMs?: number;
  maxDelayMs?: number;
  createSocket?: (url: string) => WebSocket;
}

/**
 * The page's one WebSocket to /api/v1/live. Topics are reference-counted across elements; on every
 * (re)connect it subscribes to all of them and sends the last alert `seq` it saw, so the hub
 * replays alert events fired while the socket was down. Never throws to its listeners.
 */
export class LiveConnection {
  status: LiveStatus = "closed";
  /** The highest alert event seq seen; sent as `lastAlertSeq` when resubscribing. */
  lastAlertSeq: number | undefined;
  private readonly seenAlertSeqs = new Set<number>();
  /** Bumped on every successful (re)open, so views can refetch what the socket cannot replay. */
  generation = 0;

  private socket: WebSocket | undefined;
  private readonly topics = new Map<LiveTopic, number>();
  private readonly listeners = new Set<Listener>();
  private readonly statusListeners = new Set<(status: LiveStatus) => void>();
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly url: string;
  private readonly minDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly createSocket: (url: string) => WebSocket;

  constructor(options: LiveConnectionOptions = {}) {
    this.url = options.url ?? defaultUrl();
    this.minDelayMs = options.minDelayMs ?? 250;
    this.maxDelayMs = options.maxDelayMs ?? 3000;
    this.createSocket = options.createSocket ?? ((url) => new WebSocket(url));
  }

  /** Starts (or keeps) the connection. Safe to call repeatedly. */
  start(): void {
    if (this.socket || this.timer) return;
    this.open();
  }

  /** Closes for good (logout); subscriptions are kept for the next start(). */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const socket = this.socket;
    this.socket = undefined;
    socket?.close(1000, "bye");
    this.setStatus("closed");
  }

  /** Adds the topics (reference-counted) and returns the function that removes them again. */
  subscribe(topics: ReadonlyArray<LiveTopic>): () => void {
    const fresh = topics.filter((t) => !this.topics.has(t));
    for (const t of topics) this.topics.set(t, (this.topics.get(t) ?? 0) + 1);
    if (fresh.length > 0 && this.status === "open") this.sendSubscribe(fresh);
    return () => {
      const gone: LiveTopic[] = [];
      for (const t of topics) {
        const n = (this.topics.get(t) ?? 1) - 1;
        if (n <= 0) {
          this.topics.delete(t);
          gone.push(t);
        } else this.topics.set(t, n);
      }
      if (gone.length > 0 && this.status === "open") this.send({ type: "unsubscribe", topics: gone });
    };
  }

  onMessage(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onStatus(listener: (status: LiveStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** True when the topic is subscribed by any element (messages for others are dropped). */
  wants(topic: LiveTopic): boolean {
    return this.topics.has(topic);
  }

  private open(): void {
    this.timer = undefined;
    this.setStatus(this.attempt === 0 ? "connecting" : "reconnecting");
    let socket: WebSocket;
    try {
      socket = this.createSocket(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.addEventListener("open", () => {
      if (this.socket !== socket) return;
      this.attempt = 0;
      this.generation += 1;
      this.setStatus("open");
      if (this.topics.size > 0) this.sendSubscribe([...this.topics.keys()]);
    });
    socket.addEventListener("message", (event: MessageEvent) => {
      if (this.socket !== socket) return;
      const message = parseLiveMessage(event.data);
      if (message) this.dispatch(message);
    });
    socket.addEventListener("close", (event: CloseEvent) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      // 4001: the session ended; reconnecting would only be refused again.
      if (event.code === UNAUTHORIZED) this.setStatus("closed");
      else this.scheduleReconnect();
    });
    // An error is always followed by close; the close handler reconnects.
    socket.addEventListener("error", () => {});
  }

  private scheduleReconnect(): void {
    this.setStatus("reconnecting");
    const base = Math.min(this.maxDelayMs, this.minDelayMs * 2 ** this.attempt);
    this.attempt += 1;
    const delay = base / 2 + Math.random() * (base / 2);
    this.timer = setTimeout(() => this.open(), delay);
  }

  private sendSubscribe(topics: LiveTopic[]): void {
    const message: { type: "subscribe"; topics: LiveTopic[]; lastAlertSeq?: number } = {
      type: "subscribe",
      topics,
    };
    if (topics.includes("alerts") && this.lastAlertSeq !== undefined)
      message.lastAlertSeq = this.lastAlertSeq;
    this.send(message);
  }

  private send(message: ClientMessage): void {
    if (this.socket?.readyState === OPEN) this.socket.send(JSON.stringify(message));
  }

  private dispatch(message: LiveMessage): void {
    if (message.type === "alert") {
      const seq = message.event.seq;
      // Dedupe by the seqs actually seen, not by a high-water mark: a replay that arrives after
      // a newer live event must still get through.
      if (this.seenAlertSeqs.has(seq)) return;
      this.seenAlertSeqs.add(seq);
      if (this.seenAlertSeqs.size > SEEN_LIMIT) {
        const oldest = this.seenAlertSeqs.values().next().value;
        if (oldest !== undefined) this.seenAlertSeqs.delete(oldest);
      }
      this.lastAlertSeq = Math.max(seq, this.lastAlertSeq ?? seq);
    }
    for (const listener of this.listeners) {
      try {
        listener(message);
      } catch (error) {
        console.warn("live listener failed", error);
      }
    }
  }

  private setStatus(status: LiveStatus): void {
    if (this.status === status) return;
    this.status = status;
    for (const listener of this.statusListeners) listener(status);
  }
}

/** The live socket of the chosen project (a socket carries one project's data). */
function defaultUrl(): string {
  const { protocol, host } = window.location;
  const project = currentProject();
  const query = project ? `?project=${encodeURIComponent(project)}` : "";
  return `${protocol === "https:" ? "wss:" : "ws:"}//${host}/api/v1/live${query}`;
}

/** The page's shared connection (created lazily so importing this module opens nothing). */
let shared: LiveConnection | undefined;
export function liveConnection(): LiveConnection {
  shared ??= new LiveConnection();
  return shared;
}

import type { WebSocket } from "ws";
import type { Topic } from "../../core/live.ts";
import type { Principal } from "../http/env.ts";

/** One connected live client and what the hub tracks about it. */
export class LiveClient {
  readonly topics = new Set<Topic>();
  /** Highest alert seq delivered: nothing at or below it is sent again (exactly once). */
  alertCursor = -1;
  /** While missed alerts are replayed from the database, live ones wait here in order. */
  replaying = false;
  readonly alertQueue: Array<{ seq: number; data: Buffer }> = [];
  /** Newest unsent window message per run, kept while the client reads slowly (coalescing). */
  readonly pendingWindows = new Map<string, Buffer>();
  /** The seq of the last queued send job this client has been sent (SendQueue, send-queue.ts). */
  sentThrough = 0;
  /** Answered the last ping. */
  alive = true;

  constructor(
    readonly ws: WebSocket,
    readonly principal: Principal,
    /** The one project whose data this socket carries (chosen when it opened). */
    readonly projectId: string,
  ) {}
}

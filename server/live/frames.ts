import type { Socket } from "node:net";
import type { WebSocket } from "ws";
import * as wsModule from "ws";

/** The one extension ws may negotiate (off on the hub's server: frames would differ per client). */
const DEFLATE = "permessage-deflate";

/** What of ws's internals raw frame writing relies on (ws 8; checked at every use). */
interface WsInternals {
  _socket?: Socket | null;
  _sender?: { _state?: number; _queue?: unknown[] };
  _extensions?: Record<string, unknown>;
}

// A named export of ws's ESM entry (its default export, WebSocket, carries it only under CommonJS),
// and absent from @types/ws: without it every message went through ws.send, framed per client.
const Sender = (wsModule as unknown as { Sender?: { frame(data: Buffer, options: object): Buffer[] } })
  .Sender;

/** The open net.Socket under a ws client, undefined when ws has none or it is destroyed. */
export function rawSocket(client: WebSocket): Socket | undefined {
  const socket = (client as unknown as WsInternals)._socket;
  return socket && !socket.destroyed ? socket : undefined;
}

/**
 * A text message as one complete WebSocket frame. Server frames are not masked, so the bytes are
 * the same for every client: framed once per message, not once per client.
 */
export function textFrame(data: Buffer): Buffer | undefined {
  if (!Sender) return undefined;
  return Buffer.concat(
    Sender.frame(data, { fin: true, rsv1: false, opcode: 1, mask: false, readOnly: true }),
  );
}

/**
 * Writes live messages to clients, batched per event-loop turn: a socket's first message of the
 * turn goes straight out (one write, nothing buffered); from its second one on the socket is
 * corked until the end of the turn, so a client gets at most two writes per turn however many
 * messages it was sent. Reports the time each turn's sending took (the hub's own share of
 * fan-out lag, whatever its clients do).
 */
export class TickWriter {
  /** Sockets written to this turn. */
  readonly #written = new Set<Socket>();
  readonly #corked = new Set<Socket>();
  #busyMs = 0;
  #scheduled = false;

  /** `onFlush`: seconds this turn spent framing, queueing and writing its messages. */
  constructor(private readonly onFlush: (seconds: number) => void) {}

  /**
   * Writes a message: its pre-built frame straight to the socket when ws has nothing queued and
   * compresses nothing (no header, no copy, no allocation per client), else through ws.send,
   * which keeps the order behind what it holds. Counted in ws.bufferedAmount either way.
   */
  write(client: WebSocket, data: Buffer, frame: Buffer | undefined): void {
    const inner = client as unknown as WsInternals;
    const socket = inner._socket;
    if (
      frame &&
      socket &&
      !socket.destroyed &&
      inner._sender?._state === 0 &&
      inner._sender._queue?.length === 0 &&
      inner._extensions !== undefined &&
      inner._extensions[DEFLATE] === undefined
    ) {
      if (this.#written.has(socket)) {
        if (socket.writableCorked === 0) {
          socket.cork();
          this.#corked.add(socket);
        }
      } else {
        this.#written.add(socket);
        this.#schedule();
      }
      socket.write(frame);
      return;
    }
    client.send(data, { binary: false });
  }

  /**
   * Sends now what this turn has corked on `socket`: a batch corked by the caller then starts from
   * what the kernel has not taken, not from bytes we held back ourselves.
   */
  release(socket: Socket): void {
    if (this.#corked.delete(socket)) socket.uncork();
  }

  /** Time spent on this turn's messages so far, ms (what the caller reported with spent()). */
  get turnMs(): number {
    return this.#busyMs;
  }

  /** Adds time spent on this turn's messages (measured by the caller around its loop). */
  spent(ms: number): void {
    this.#busyMs += ms;
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(this.#flush);
  }

  readonly #flush = (): void => {
    const started = performance.now();
    for (const socket of this.#corked) socket.uncork();
    this.#corked.clear();
    this.#written.clear();
    const seconds = (this.#busyMs + performance.now() - started) / 1000;
    this.#busyMs = 0;
    this.#scheduled = false;
    this.onFlush(seconds);
  };
}

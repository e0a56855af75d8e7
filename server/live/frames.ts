import type { Socket } from "node:net";
import ws, { type WebSocket } from "ws";

/** What of ws's internals raw frame writing relies on (ws 8; checked at every use). */
interface WsInternals {
  _socket?: Socket | null;
  _sender?: { _state?: number; _queue?: unknown[] };
  _extensions?: Record<string, unknown>;
}

const Sender = (ws as unknown as { Sender?: { frame(data: Buffer, options: object): Buffer[] } }).Sender;

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
 * Writes a message to a client: its pre-built frame straight to the socket when ws has nothing
 * queued and compresses nothing (no header, no copy per client), else through ws.send, which
 * keeps the order behind what it holds. Counted in ws.bufferedAmount either way.
 */
export function writeMessage(client: WebSocket, data: Buffer, frame: Buffer | undefined): void {
  const inner = client as unknown as WsInternals;
  const socket = inner._socket;
  if (
    frame &&
    socket &&
    !socket.destroyed &&
    inner._sender?._state === 0 &&
    inner._sender._queue?.length === 0 &&
    inner._extensions !== undefined &&
    Object.keys(inner._extensions).length === 0
  ) {
    corkForTick(socket);
    socket.write(frame);
    return;
  }
  client.send(data, { binary: false });
}

const corked = new Set<Socket>();

/** Holds a socket's writes until the end of this event-loop turn: one write per client per tick. */
function corkForTick(socket: Socket): void {
  if (corked.has(socket)) return;
  socket.cork();
  corked.add(socket);
  if (corked.size === 1) setImmediate(uncorkAll);
}

function uncorkAll(): void {
  for (const socket of corked) socket.uncork();
  corked.clear();
}

/**
 * One process of live WebSocket clients for bench/hub.ts's fan-out figure, so the clients'
 * own work never shares an event loop with the bench that drives the hub (nor the hub).
 *
 * Usage (IPC child): live-clients.ts WS_URL TOKEN COUNT [lean|ws]. Opens COUNT sockets subscribed
 * to `probes`, says {ready} over IPC, records for each probe message the result's startedAt and
 * its receipt time (epoch ms), and on "report" answers {starts, ats}, then closes its sockets and
 * exits. Receipt is stamped first and startedAt read straight from the bytes.
 *
 * The clients stand in for browsers on other machines, yet here they share the hub's 2 cores, so
 * what they spend per message is taken from the hub. `lean` (the default) is still a real
 * WebSocket client (RFC 6455): HTTP upgrade with a checked Sec-WebSocket-Accept, masked client
 * frames, every server frame parsed (7/16/64-bit lengths, fragments, ping answered with pong,
 * close) and each text message delivered whole; it only skips what ws layers on top (a Writable
 * stream per socket, events per frame, UTF-8 validation) and reads every socket into one shared
 * buffer (net's `onread`), as a browser's own socket code costs the hub nothing. `ws` uses the ws
 * library's client.
 */
import { createHash, randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";
import { WebSocket } from "ws";

const [url, token, countArg, kindArg] = process.argv.slice(2);
const count = Number(countArg);
const kind = kindArg === "ws" ? "ws" : "lean";
/** Each probe message's startedAt and its receipt (epoch ms), in receipt order. */
const starts: number[] = [];
const ats: number[] = [];
const closers: Array<() => void> = [];
const STARTED_AT = Buffer.from('"startedAt":');
/** Largest message a client accepts (the hub's live messages are a few KB). */
const MAX_MESSAGE = 1024 * 1024;
const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** The number after `"startedAt":` in a message, without parsing the JSON. */
function startedAtOf(data: Buffer): number {
  const at = data.indexOf(STARTED_AT);
  if (at < 0) return Number.NaN;
  let n = 0;
  for (let i = at + STARTED_AT.length; i < data.length; i++) {
    const digit = data[i]! - 48;
    if (digit < 0 || digit > 9) break;
    n = n * 10 + digit;
  }
  return n;
}

function record(data: Buffer, at: number): void {
  const startedAt = startedAtOf(data);
  if (Number.isNaN(startedAt)) return;
  starts.push(startedAt);
  ats.push(at);
}

/** A masked client frame (RFC 6455 §5.3: every frame a client sends is masked). */
function clientFrame(opcode: number, payload: Buffer): Buffer {
  if (payload.length > 65535) throw new Error("client frame too large");
  const mask = randomBytes(4);
  const headerLength = payload.length < 126 ? 2 : 4;
  const frame = Buffer.allocUnsafe(headerLength + 4 + payload.length);
  frame[0] = 0x80 | opcode;
  if (payload.length < 126) frame[1] = 0x80 | payload.length;
  else {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(payload.length, 2);
  }
  mask.copy(frame, headerLength);
  for (let i = 0; i < payload.length; i++) frame[headerLength + 4 + i] = payload[i]! ^ mask[i & 3]!;
  return frame;
}

/**
 * Parses the server's frames as they arrive, whatever the chunking: returns complete text
 * messages through `onText`, answers pings, fails on anything RFC 6455 forbids a server to send.
 */
export class FrameReader {
  #buffer: Buffer = Buffer.alloc(0);
  #fragments: Buffer[] = [];
  #fragmentBytes = 0;
  /** The opcode of the fragmented message being gathered (text 1 or binary 2). */
  #fragmentOpcode = 0;

  constructor(
    private readonly socket: Socket,
    private readonly onText: (data: Buffer, at: number) => void,
  ) {}

  push(chunk: Buffer, at: number): void {
    let buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      if (buffer.length < 2) break;
      const b0 = buffer[0]!;
      const b1 = buffer[1]!;
      if ((b0 & 0x70) !== 0) {
        this.#fail("reserved bits set (no extension was negotiated)");
        return;
      }
      if ((b1 & 0x80) !== 0) {
        this.#fail("masked server frame");
        return;
      }
      let length = b1 & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffer.length < 4) break;
        length = buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buffer.length < 10) break;
        const big = buffer.readBigUInt64BE(2);
        if (big > BigInt(MAX_MESSAGE)) {
          this.#fail("frame too large");
          return;
        }
        length = Number(big);
        offset = 10;
      }
      if (length > MAX_MESSAGE) {
        this.#fail("frame too large");
        return;
      }
      if (buffer.length < offset + length) break;
      const payload = buffer.subarray(offset, offset + length);
      buffer = buffer.subarray(offset + length);
      const fin = (b0 & 0x80) !== 0;
      const opcode = b0 & 0x0f;
      if (opcode >= 8) {
        if (!fin || length > 125) {
          this.#fail("bad control frame");
          return;
        }
        if (opcode === 9) this.socket.write(clientFrame(10, payload));
        else if (opcode === 8) {
          this.#close();
          return;
        }
        continue;
      }
      if (opcode === 1 || opcode === 2) {
        if (this.#fragments.length > 0) {
          this.#fail("new message inside a fragmented one");
          return;
        }
        if (fin) {
          if (opcode === 1) this.onText(payload, at);
          continue;
        }
        this.#fragmentOpcode = opcode;
      } else if (opcode !== 0 || this.#fragments.length === 0) {
        this.#fail(`bad opcode ${opcode}`);
        return;
      }
      this.#fragmentBytes += length;
      if (this.#fragmentBytes > MAX_MESSAGE) {
        this.#fail("message too large");
        return;
      }
      // Copied: the chunk is a view of the read buffer the next read reuses.
      this.#fragments.push(Buffer.from(payload));
      if (fin) {
        const whole = Buffer.concat(this.#fragments.splice(0));
        this.#fragmentBytes = 0;
        if (this.#fragmentOpcode === 1) this.onText(whole, at);
      }
    }
    // Keep only the unparsed tail, copied: a view would pin the whole chunk.
    this.#buffer = buffer.length === 0 ? Buffer.alloc(0) : Buffer.from(buffer);
  }

  #fail(reason: string): void {
    console.error(`live client: ${reason}`);
    this.socket.destroy();
  }

  #close(): void {
    this.socket.end(clientFrame(8, Buffer.alloc(0)));
  }
}

/**
 * One read buffer for every lean socket of the process (net's `onread`): a read is parsed before
 * the next one lands, so no buffer is allocated per read and no Readable stream runs per socket.
 * FrameReader copies what it keeps past a read.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** A lean but real WebSocket client: upgrade, subscribe to `probes`, then parse frames. */
async function openLean(): Promise<void> {
  const target = new URL(url!);
  const key = randomBytes(16).toString("base64");
  const accept = createHash("sha1")
    .update(key + GUID)
    .digest("base64");
  let onBytes: (chunk: Buffer, at: number) => void = () => {};
  const socket = connect({
    port: Number(target.port),
    host: target.hostname,
    noDelay: true,
    onread: {
      buffer: READ_BUFFER,
      callback: (bytes: number, buffer: Uint8Array) => {
        onBytes(
          Buffer.from(buffer.buffer, buffer.byteOffset, bytes),
          performance.timeOrigin + performance.now(),
        );
        return true;
      },
    },
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  socket.write(
    `GET ${target.pathname} HTTP/1.1\r\nhost: ${target.host}\r\nupgrade: websocket\r\nconnection: Upgrade\r\n` +
      `sec-websocket-key: ${key}\r\nsec-websocket-version: 13\r\nauthorization: Bearer ${token}\r\n\r\n`,
  );
  // The upgrade response, then anything after it is frames.
  const rest = await new Promise<Buffer>((resolve, reject) => {
    let head = Buffer.alloc(0);
    onBytes = (chunk) => {
      head = Buffer.concat([head, chunk]);
      if (head.length > 16 * 1024) return reject(new Error("upgrade response too large"));
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      onBytes = () => {};
      const lines = head.subarray(0, end).toString("latin1").split("\r\n");
      if (!/^HTTP\/1\.1 101 /.test(lines[0]!)) return reject(new Error(`upgrade refused: ${lines[0]}`));
      const got = lines.find((l) => l.toLowerCase().startsWith("sec-websocket-accept:"));
      if (got?.slice(got.indexOf(":") + 1).trim() !== accept)
        return reject(new Error("bad sec-websocket-accept"));
      if (lines.some((l) => l.toLowerCase().startsWith("sec-websocket-extensions:")))
        return reject(new Error("an extension was negotiated that this client did not offer"));
      resolve(head.subarray(end + 4));
    };
    socket.once("error", reject);
  });
  let subscribed!: () => void;
  const done = new Promise<void>((resolve) => (subscribed = resolve));
  let first = true;
  const reader = new FrameReader(socket, (data, at) => {
    if (first) {
      first = false;
      subscribed();
      return;
    }
    record(data, at);
  });
  onBytes = (chunk, at) => reader.push(chunk, at);
  socket.on("error", () => {});
  if (rest.length > 0) reader.push(rest, performance.timeOrigin + performance.now());
  socket.write(clientFrame(1, Buffer.from(JSON.stringify({ type: "subscribe", topics: ["probes"] }))));
  await done;
  closers.push(() => socket.destroy());
}

/** The ws library's client, for comparison (BENCH_LIVE_CLIENT=ws). */
async function openWs(): Promise<void> {
  const ws = new WebSocket(url!, { headers: { authorization: `Bearer ${token}` } });
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  const subscribed = new Promise((resolve) => ws.once("message", resolve));
  ws.send(JSON.stringify({ type: "subscribe", topics: ["probes"] }));
  await subscribed;
  ws.on("message", (data: Buffer) => record(data, performance.timeOrigin + performance.now()));
  closers.push(() => ws.terminate());
}

if (process.argv[1] === import.meta.filename) {
  const open = kind === "ws" ? openWs : openLean;
  for (let i = 0; i < count; i += 100)
    await Promise.all(Array.from({ length: Math.min(100, count - i) }, open));
  process.send!({ ready: closers.length });
  process.on("message", (message) => {
    if (message !== "report") return;
    process.send!({ starts, ats }, () => {
      for (const close of closers) close();
      process.exit(0);
    });
  });
}

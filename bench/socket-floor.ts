/**
 * The floor under bench/hub.ts's fan-out figure: one process writing one buffer to each of N
 * loopback TCP sockets per round with a bare `net.Socket.write` (no WebSocket, no hub), read by
 * 2 processes of bare sockets that discard what they get (each read into one shared buffer, as
 * the live clients' processes read).
 * On loopback the writer's write() also runs the reader's TCP receive path (the kernel delivers
 * the segment inline), so this is what 10,000 sends cost on this machine whatever the hub does.
 *
 * `socketFloor(sockets, bytes, rounds)` runs it in processes of its own and resolves with the
 * median round; this file is also the writer (`writer N BYTES ROUNDS`) and a reader (`reader PORT N`).
 */
import { type ChildProcess, fork } from "node:child_process";
import { connect, createServer, type Socket } from "node:net";

export interface SocketFloor {
  /** Median time of one round (a write to every socket), ms. */
  roundMs: number;
  /**
   * Median over rounds of the time from a round's first write to the last socket's read of it in
   * the readers, ms: the lag a bare fan-out's last client sees (its readers' queueing included).
   */
  lastReadMs: number;
  /** The writer's CPU per round (user + system), ms. */
  cpuMs: number;
  /** Of which in the kernel, ms. */
  systemMs: number;
  /** Bytes every reader got against what was written. */
  received: number;
  expected: number;
}

/** As many reader processes as bench/hub.ts runs live-client processes. */
const READER_PROCESSES = 2;
/** Pause between rounds, so each round starts with the readers idle (as a broadcast does). */
const ROUND_GAP_MS = 200;
/** Longest the whole measurement may take before it is abandoned. */
const TIMEOUT_MS = 120_000;

function once<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    child.once("message", (m) => resolve(m as T));
    child.once("exit", (code) => reject(new Error(`socket-floor process exited with ${code}`)));
  });
}

export async function socketFloor(sockets: number, bytes: number, rounds: number): Promise<SocketFloor> {
  const writer = fork(import.meta.filename, ["writer", String(sockets), String(bytes), String(rounds)]);
  const timer = setTimeout(() => writer.kill(), TIMEOUT_MS);
  try {
    return await once<SocketFloor>(writer);
  } finally {
    clearTimeout(timer);
    if (writer.exitCode === null) await new Promise((r) => writer.once("exit", r));
  }
}

async function writer(sockets: number, bytes: number, rounds: number): Promise<void> {
  const accepted: Socket[] = [];
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    socket.on("error", () => {});
    accepted.push(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const readers = Array.from({ length: READER_PROCESSES }, (_, i) => {
    const count = Math.floor(sockets / READER_PROCESSES) + (i < sockets % READER_PROCESSES ? 1 : 0);
    return fork(import.meta.filename, ["reader", String(port), String(count)]);
  });
  await Promise.all(readers.map((r) => once(r)));
  for (let i = 0; i < 1000 && accepted.length < sockets; i++) await new Promise((r) => setTimeout(r, 10));
  const buffer = Buffer.alloc(bytes, 0x61);
  const times: number[] = [];
  /** Each round's start, epoch ms (the readers stamp their reads in epoch ms too). */
  const starts: number[] = [];
  const cpu = process.cpuUsage();
  for (let round = 0; round < rounds; round++) {
    await new Promise((r) => setTimeout(r, ROUND_GAP_MS));
    const started = performance.now();
    starts.push(performance.timeOrigin + started);
    for (const socket of accepted) socket.write(buffer);
    times.push(performance.now() - started);
  }
  const used = process.cpuUsage(cpu);
  await new Promise((r) => setTimeout(r, 1000));
  const got = await Promise.all(
    readers.map((r) => {
      const answer = once<{ received: number; ats: number[] }>(r);
      r.send("report");
      return answer;
    }),
  );
  times.sort((a, b) => a - b);
  // A read belongs to the last round started before it (rounds are ROUND_GAP_MS apart and done).
  const lastRead = starts.map(() => 0);
  for (const { ats } of got)
    for (const at of ats) {
      let round = starts.length - 1;
      while (round > 0 && starts[round]! > at) round--;
      lastRead[round] = Math.max(lastRead[round]!, at - starts[round]!);
    }
  lastRead.sort((a, b) => a - b);
  const result: SocketFloor = {
    roundMs: times[Math.floor(times.length / 2)]!,
    lastReadMs: lastRead[Math.floor(lastRead.length / 2)]!,
    cpuMs: (used.user + used.system) / 1000 / rounds,
    systemMs: used.system / 1000 / rounds,
    received: got.reduce((a, b) => a + b.received, 0),
    expected: accepted.length * bytes * rounds,
  };
  for (const socket of accepted) socket.destroy();
  server.close();
  process.send!(result, () => process.exit(0));
}

/** One read buffer for all of a reader's sockets (net's `onread`), as bench/live-clients.ts reads. */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

async function reader(port: number, count: number): Promise<void> {
  let received = 0;
  /** Each read's time, epoch ms. */
  const ats: number[] = [];
  const sockets: Socket[] = [];
  for (let i = 0; i < count; i += 100) {
    await Promise.all(
      Array.from(
        { length: Math.min(100, count - i) },
        () =>
          new Promise<void>((resolve, reject) => {
            const socket = connect(
              {
                port,
                host: "127.0.0.1",
                onread: {
                  buffer: READ_BUFFER,
                  callback: (bytes: number) => {
                    received += bytes;
                    ats.push(performance.timeOrigin + performance.now());
                    return true;
                  },
                },
              },
              resolve,
            );
            socket.once("error", reject);
            sockets.push(socket);
          }),
      ),
    );
  }
  process.send!("ready");
  process.on("message", () => {
    process.send!({ received, ats }, () => {
      for (const socket of sockets) socket.destroy();
      process.exit(0);
    });
  });
}

const [role, ...args] = process.argv.slice(2);
if (process.argv[1] !== import.meta.filename) {
  // Imported by bench/hub.ts: nothing to run here.
} else if (role === "writer") await writer(Number(args[0]), Number(args[1]), Number(args[2]));
else if (role === "reader") await reader(Number(args[0]), Number(args[1]));

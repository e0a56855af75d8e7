import type { Socket } from "node:net";
import { Worker } from "node:worker_threads";

/** Fewer sockets than this are written by the main thread alone: waking a thread costs more. */
const MIN_SHARE = 256;
/** Largest frame handed to a thread (bigger ones are rare: the main thread writes them). */
const MAX_FRAME = 64 * 1024;
/** Most sockets one thread takes per message. */
const MAX_SOCKETS = 32 * 1024;
/** A thread that has not finished its share by then is taken out of service. */
const STALL_MS = 2000;

interface Helper {
  worker: Worker;
  control: Int32Array;
  fds: Int32Array;
  written: Int32Array;
  frame: Uint8Array;
  job: number;
  /** Sockets of the job in flight, by index in `fds`. */
  sockets: Socket[];
}

/** The file descriptor of a plain TCP socket, or undefined (TLS, pipes, Windows, closed). */
export function socketFd(socket: Socket): number | undefined {
  if ((socket as { encrypted?: boolean }).encrypted) return undefined;
  const fd = (socket as unknown as { _handle?: { fd?: number } | null })._handle?.fd;
  return typeof fd === "number" && fd >= 0 ? fd : undefined;
}

/**
 * Writes one frame to many idle sockets with the system calls spread over helper threads: at
 * 10,000 clients the per-socket write call is most of the hub's fan-out time and one thread does
 * them one after another. The main thread writes its share meanwhile, then waits for the
 * helpers, so `writeAll` returns only when every socket has its frame or holds the rest in its
 * own buffer: nothing else can write to those sockets in between, and order is kept.
 * Only for sockets with nothing queued (the caller checks), never for TLS.
 */
export class WriteThreads {
  readonly #helpers: Helper[] = [];
  #broken = false;

  /** `threads`: helpers besides the main thread, started at the first message big enough to share. */
  constructor(private readonly threads: number) {}

  #start(): void {
    for (let i = 0; i < this.threads; i++) {
      const control = new SharedArrayBuffer(16);
      const fds = new SharedArrayBuffer(4 * MAX_SOCKETS);
      const written = new SharedArrayBuffer(4 * MAX_SOCKETS);
      const frame = new SharedArrayBuffer(MAX_FRAME);
      const worker = new Worker(new URL("./write-thread.mjs", import.meta.url), {
        workerData: { control, fds, written, frame },
      });
      worker.unref();
      worker.on("error", (error) => {
        console.error(`hub: live write thread failed: ${error.message}`);
        this.#broken = true;
      });
      this.#helpers.push({
        worker,
        control: new Int32Array(control),
        fds: new Int32Array(fds),
        written: new Int32Array(written),
        frame: new Uint8Array(frame),
        job: 0,
        sockets: [],
      });
    }
  }

  /**
   * Writes `frame` to every socket (each idle: nothing buffered, not corked; `fds` their
   * descriptors). Returns when all of it is out or buffered in the socket; a socket whose share
   * failed is written through its stream, which reports the error as usual.
   */
  writeAll(sockets: Socket[], fds: number[], frame: Buffer): void {
    const parts = Math.min(this.threads + 1, Math.floor(sockets.length / MIN_SHARE));
    if (parts <= 1 || this.#broken || frame.length > MAX_FRAME) {
      for (const socket of sockets) socket.write(frame);
      return;
    }
    if (this.#helpers.length === 0) this.#start();
    const share = Math.min(MAX_SOCKETS, Math.ceil(sockets.length / parts));
    let next = 0;
    const busy: Helper[] = [];
    for (const helper of this.#helpers.slice(0, parts - 1)) {
      const count = Math.min(share, sockets.length - next);
      helper.frame.set(frame);
      helper.fds.set(fds.slice(next, next + count));
      helper.sockets = sockets.slice(next, next + count);
      next += count;
      helper.control[2] = count;
      helper.control[3] = frame.length;
      helper.job = helper.job >= 0x3fffffff ? 1 : helper.job + 1;
      Atomics.store(helper.control, 0, helper.job);
      Atomics.notify(helper.control, 0);
      busy.push(helper);
    }
    for (let i = next; i < sockets.length; i++) sockets[i]!.write(frame);
    for (const helper of busy) this.#finish(helper, frame);
  }

  /** Stops the threads (their sockets stay with the main thread). */
  async close(): Promise<void> {
    this.#broken = true;
    for (const helper of this.#helpers) {
      Atomics.store(helper.control, 0, -1);
      Atomics.notify(helper.control, 0);
    }
    await Promise.all(this.#helpers.map((h) => h.worker.terminate()));
  }

  /** Waits for a helper's share, then sends what it could not through each socket's stream. */
  #finish(helper: Helper, frame: Buffer): void {
    const deadline = performance.now() + STALL_MS;
    for (;;) {
      const done = Atomics.load(helper.control, 1);
      if (done === helper.job) break;
      const left = deadline - performance.now();
      if (left <= 0) {
        // Which of its sockets got the frame is unknown: cut them off (clients reconnect and resume).
        console.error("hub: a live write thread stalled; the main thread writes alone from now on");
        this.#broken = true;
        for (const socket of helper.sockets) socket.destroy();
        helper.sockets = [];
        return;
      }
      Atomics.wait(helper.control, 1, done, left);
    }
    helper.sockets.forEach((socket, i) => {
      const sent = helper.written[i]!;
      if (sent === frame.length) return;
      socket.write(sent > 0 ? frame.subarray(sent) : frame);
    });
    helper.sockets = [];
  }
}

import { writeSync } from "node:fs";
import type { Socket } from "node:net";
import { Worker } from "node:worker_threads";
import {
  CLOSED,
  CONTROL_WORDS,
  COUNT,
  claimAndWrite,
  DONE,
  JOB,
  LENGTH,
  NEXT,
  RUNNING,
  WAITING,
  type WriteJob,
} from "./write-chunks.mjs";

/** Fewer sockets than this per thread are written by the main thread alone: waking one costs more. */
const MIN_SHARE = 256;
/** Largest frame handed to the threads (bigger ones are rare: the main thread writes them). */
const MAX_FRAME = 64 * 1024;
/** Most sockets in one job; more are written by the main thread's streams. */
const MAX_SOCKETS = 64 * 1024;
/** A helper that has not finished its chunk by then is taken out of service. */
const STALL_MS = 2000;
/** written[i] before anyone took socket i. */
const UNTOUCHED = -2;

/** The file descriptor of a plain TCP socket, or undefined (TLS, pipes, Windows, closed). */
export function socketFd(socket: Socket): number | undefined {
  if ((socket as { encrypted?: boolean }).encrypted) return undefined;
  const fd = (socket as unknown as { _handle?: { fd?: number } | null })._handle?.fd;
  return typeof fd === "number" && fd >= 0 ? fd : undefined;
}

/**
 * Writes one frame to many idle sockets with the system calls spread over helper threads: at
 * 10,000 clients the per-socket write call is most of the hub's fan-out time and one thread did
 * them one after another. The main thread and the helpers take chunks of the sockets from one
 * shared counter, so a helper the scheduler has not run yet holds nothing up (the main thread
 * takes its chunks; it waits only for a chunk a helper is in the middle of). `writeAll` returns
 * when every socket has its frame or holds the rest in its own stream buffer: nothing else writes
 * to those sockets in between, and order is kept. Only for sockets with nothing queued (the
 * caller checks), never for TLS.
 */
export class WriteThreads {
  readonly #helpers: Array<{ worker: Worker; state: Int32Array }> = [];
  #job: WriteJob | undefined;
  #number = 0;
  #broken = false;

  /** `threads`: helpers besides the main thread, started at the first message big enough to share. */
  constructor(private readonly threads: number) {}

  /**
   * Writes `frame` to every socket (each idle: nothing buffered, not corked; `fds` their
   * descriptors). Returns when all of it is out or buffered in the socket; a socket whose write
   * failed is written through its stream, which reports the error as usual.
   */
  writeAll(sockets: Socket[], fds: number[], frame: Buffer): void {
    const helpers = Math.min(this.threads, Math.floor(sockets.length / MIN_SHARE) - 1);
    if (helpers < 1 || this.#broken || frame.length > MAX_FRAME || sockets.length > MAX_SOCKETS) {
      for (const socket of sockets) socket.write(frame);
      return;
    }
    const job = this.#job ?? this.#start();
    const count = sockets.length;
    job.frame.set(frame);
    job.fds.set(fds);
    job.written.fill(UNTOUCHED, 0, count);
    Atomics.store(job.control, COUNT, count);
    Atomics.store(job.control, LENGTH, frame.length);
    Atomics.store(job.control, NEXT, 0);
    const asked = this.#helpers.slice(0, helpers);
    for (const { state } of asked) Atomics.store(state, 0, WAITING);
    this.#number = this.#number >= 0x3fffffff ? 1 : this.#number + 1;
    Atomics.store(job.control, JOB, this.#number);
    Atomics.notify(job.control, JOB);
    claimAndWrite(job, writeSync);
    for (const { state } of asked) {
      if (Atomics.compareExchange(state, 0, WAITING, CLOSED) === WAITING) continue;
      if (!this.#awaitHelper(state)) {
        // A stalled helper may still write its chunk: its sockets are cut off (clients reconnect and resume).
        console.error("hub: a live write thread stalled; the main thread writes alone from now on");
        this.#broken = true;
        for (let i = 0; i < count; i++) if (job.written[i] === UNTOUCHED) sockets[i]!.destroy();
      }
    }
    for (let i = 0; i < count; i++) {
      const sent = job.written[i]!;
      if (sent === frame.length || sent === UNTOUCHED) continue;
      sockets[i]!.write(sent > 0 ? frame.subarray(sent) : frame);
    }
  }

  /** Stops the threads (their sockets stay with the main thread). */
  async close(): Promise<void> {
    this.#broken = true;
    if (this.#job) {
      Atomics.store(this.#job.control, JOB, -1);
      Atomics.notify(this.#job.control, JOB);
    }
    await Promise.all(this.#helpers.map((h) => h.worker.terminate()));
  }

  #start(): WriteJob {
    const shared = {
      control: new SharedArrayBuffer(4 * CONTROL_WORDS),
      fds: new SharedArrayBuffer(4 * MAX_SOCKETS),
      written: new SharedArrayBuffer(4 * MAX_SOCKETS),
      frame: new SharedArrayBuffer(MAX_FRAME),
    };
    for (let i = 0; i < this.threads; i++) {
      const state = new SharedArrayBuffer(4);
      const worker = new Worker(new URL("./write-thread.mjs", import.meta.url), {
        workerData: { ...shared, state },
      });
      worker.unref();
      worker.on("error", (error) => {
        console.error(`hub: live write thread failed: ${error.message}`);
        this.#broken = true;
      });
      const words = new Int32Array(state);
      // Until its first job a helper takes nothing.
      Atomics.store(words, 0, CLOSED);
      this.#helpers.push({ worker, state: words });
    }
    this.#job = {
      control: new Int32Array(shared.control),
      fds: new Int32Array(shared.fds),
      written: new Int32Array(shared.written),
      frame: new Uint8Array(shared.frame),
    };
    return this.#job;
  }

  /** Waits for a helper that took the job to finish it; false when it stalled. */
  #awaitHelper(state: Int32Array): boolean {
    const deadline = performance.now() + STALL_MS;
    for (;;) {
      const now = Atomics.load(state, 0);
      if (now === DONE) return true;
      const left = deadline - performance.now();
      if (left <= 0) return false;
      Atomics.wait(state, 0, RUNNING, left);
    }
  }
}

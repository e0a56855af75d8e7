// One helper thread of write-threads.ts: takes chunks of the socket file descriptors of the job
// in shared memory and writes the frame to each, alongside the hub's main thread, recording how
// many bytes of each went out (0 when the socket's send buffer was full, -1 on an error such as
// EPIPE). Plain JavaScript so it starts under any loader (tsx, vitest) like db/pglite-worker.mjs.
import { writeSync } from "node:fs";
import { workerData } from "node:worker_threads";
import { claimAndWrite, DONE, JOB, RUNNING, WAITING } from "./write-chunks.mjs";

const control = new Int32Array(workerData.control);
/** This helper's word: WAITING, RUNNING, CLOSED or DONE for the current job. */
const state = new Int32Array(workerData.state);
const job = {
  control,
  fds: new Int32Array(workerData.fds),
  written: new Int32Array(workerData.written),
  frame: new Uint8Array(workerData.frame),
};

let seen = 0;
for (;;) {
  Atomics.wait(control, JOB, seen);
  seen = Atomics.load(control, JOB);
  if (seen < 0) break;
  // A job the main thread finished alone (it closed it) is not ours to touch.
  if (Atomics.compareExchange(state, 0, WAITING, RUNNING) !== WAITING) continue;
  claimAndWrite(job, writeSync);
  Atomics.store(state, 0, DONE);
  Atomics.notify(state, 0);
}

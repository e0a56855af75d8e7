// One helper thread of write-threads.ts: writes the frame in shared memory to each listed socket
// file descriptor while the hub's main thread writes its own share, and says how many bytes of
// each went out (0 when the socket's send buffer was full, -1 on an error such as EPIPE). Plain
// JavaScript so it starts under any loader (tsx, vitest) like db/pglite-worker.mjs.
import { writeSync } from "node:fs";
import { workerData } from "node:worker_threads";

/** control: [0] job number asked (-1: stop), [1] job number done, [2] sockets, [3] frame bytes. */
const control = new Int32Array(workerData.control);
const fds = new Int32Array(workerData.fds);
const written = new Int32Array(workerData.written);
const frame = new Uint8Array(workerData.frame);

let job = 0;
for (;;) {
  Atomics.wait(control, 0, job);
  job = Atomics.load(control, 0);
  if (job < 0) break;
  const count = control[2];
  const bytes = frame.subarray(0, control[3]);
  for (let i = 0; i < count; i++) {
    try {
      written[i] = writeSync(fds[i], bytes);
    } catch (error) {
      written[i] = error.code === "EAGAIN" || error.code === "EWOULDBLOCK" ? 0 : -1;
    }
  }
  Atomics.store(control, 1, job);
  Atomics.notify(control, 1);
}

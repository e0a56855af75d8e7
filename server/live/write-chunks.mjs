// Shared by write-threads.ts (main thread) and write-thread.mjs (helper): the layout of a job's
// control words and the chunk loop both threads run on it.

/** control[JOB]: job number (-1: stop the helpers). */
export const JOB = 0;
/** A helper's state word per job: WAITING for it, RUNNING (it took the job), CLOSED (the main thread finished without it), DONE. */
export const WAITING = 0;
export const RUNNING = 1;
export const CLOSED = 2;
export const DONE = 3;
/** control[NEXT]: first socket index nobody has taken yet. */
export const NEXT = 1;
/** control[COUNT]: sockets in the job; control[LENGTH]: frame bytes. */
export const COUNT = 2;
export const LENGTH = 3;
export const CONTROL_WORDS = 4;
/** Sockets taken at a time: a thread preempted mid-chunk holds up at most this many. */
export const CHUNK = 32;

/**
 * Takes chunks of the job until none is left and writes the frame to each of their sockets,
 * storing the bytes written per socket (0: send buffer full, -1: error).
 */
export function claimAndWrite({ control, fds, written, frame }, writeSync) {
  const count = Atomics.load(control, COUNT);
  const bytes = frame.subarray(0, Atomics.load(control, LENGTH));
  for (;;) {
    const start = Atomics.add(control, NEXT, CHUNK);
    if (start >= count) return;
    const end = Math.min(count, start + CHUNK);
    for (let i = start; i < end; i++) {
      try {
        written[i] = writeSync(fds[i], bytes);
      } catch (error) {
        written[i] = error.code === "EAGAIN" || error.code === "EWOULDBLOCK" ? 0 : -1;
      }
    }
  }
}

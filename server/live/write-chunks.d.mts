export declare const JOB: number;
export declare const WAITING: number;
export declare const RUNNING: number;
export declare const CLOSED: number;
export declare const DONE: number;
export declare const NEXT: number;
export declare const COUNT: number;
export declare const LENGTH: number;
export declare const CONTROL_WORDS: number;
export declare const CHUNK: number;

/** The shared memory of a write job (write-threads.ts). */
export interface WriteJob {
  control: Int32Array;
  fds: Int32Array;
  written: Int32Array;
  frame: Uint8Array;
}

/** Takes chunks of the job until none is left and writes the frame to each of their sockets. */
export declare function claimAndWrite(
  job: WriteJob,
  writeSync: (fd: number, bytes: Uint8Array) => number,
): void;

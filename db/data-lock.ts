import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** Who holds an embedded database directory: written into `<dir>.lock` (mode 0600). */
export interface LockHolder {
  pid: number;
  /** What holds it ("hub", "shop", "peakwatch users"). */
  owner: string;
  /** Where the holder answers, when it serves HTTP. */
  url?: string;
}

/** Thrown when another live process holds the directory; the message says which. */
export class DataDirLocked extends Error {
  constructor(
    readonly dir: string,
    readonly holder: LockHolder,
  ) {
    super(`${dir} is in use by ${holder.owner} (pid ${holder.pid}${holder.url ? `, ${holder.url}` : ""})`);
    this.name = "DataDirLocked";
  }
}

const lockPath = (dir: string) => `${dir}.lock`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  // A holder killed with -9 leaves its lock behind, and its pid may be reused by anything:
  // where /proc tells, only a peakwatch process counts.
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("peakwatch");
  } catch {
    return true;
  }
}

/**
 * The live process holding `dir`, if any. PGlite keeps no lock of its own, and two processes
 * writing one directory corrupt it while neither sees the other's changes.
 */
export function dataDirHolder(dir: string): LockHolder | undefined {
  let holder: LockHolder;
  try {
    holder = JSON.parse(readFileSync(lockPath(dir), "utf8")) as LockHolder;
  } catch {
    return undefined;
  }
  if (!Number.isInteger(holder.pid) || holder.pid === process.pid || !alive(holder.pid)) return undefined;
  return holder;
}

/** Takes `dir` for this process (a stale lock of a dead process is taken over); throws DataDirLocked. */
export function lockDataDir(dir: string, holder: Omit<LockHolder, "pid">): { release(): void } {
  const mine: LockHolder = { pid: process.pid, ...holder };
  const write = (flag: "wx" | "w") =>
    writeFileSync(lockPath(dir), JSON.stringify(mine), { flag, mode: 0o600 });
  mkdirSync(dirname(dir), { recursive: true, mode: 0o700 });
  try {
    write("wx");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const other = dataDirHolder(dir);
    if (other) throw new DataDirLocked(dir, other);
    write("w");
  }
  return {
    release: () => {
      const current = (() => {
        try {
          return JSON.parse(readFileSync(lockPath(dir), "utf8")) as LockHolder;
        } catch {
          return undefined;
        }
      })();
      if (current?.pid === process.pid) rmSync(lockPath(dir), { force: true });
    },
  };
}

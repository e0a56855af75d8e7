import { chmodSync, lstatSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { isMainThread } from "node:worker_threads";

/**
 * Makes `dir` (created if missing) and everything already under it private to this user:
 * directories 0700, files 0600. Database files, keys and sessions must not be readable or
 * writable by other local users (PGlite creates files with the process umask, often 0644/0666).
 * Symlinks are left alone, never followed.
 */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pending = [dir];
  while (pending.length > 0) {
    const current = pending.pop()!;
    chmodSync(current, 0o700);
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) pending.push(path);
      else if (entry.isFile() && (lstatSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
    }
  }
}

/**
 * The Peakwatch data directory and one process's folder in it (`<root>/hub`): the root made
 * 0700 (not walked: it may hold things that are not ours), the process folder made private whole.
 */
export function makePrivateProcessDir(root: string, processDir: string): void {
  mkdirSync(root, { recursive: true, mode: 0o700 });
  chmodSync(root, 0o700);
  makePrivateDir(processDir);
}

/**
 * From now on this process creates files 0600 and directories 0700 (umask 077), so files a
 * database writes later are private too. Only the main thread may change the umask.
 */
export function privateFileCreation(): void {
  if (isMainThread) process.umask(0o077);
}

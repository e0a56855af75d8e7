import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const entry = fileURLToPath(new URL("../../bin/peakwatch.js", import.meta.url));

/** A `peakwatch` process started by a test, with its combined output. */
export interface PeakwatchProcess {
  proc: ChildProcess;
  output(): string;
  /** Resolves with the first match of `pattern` in the output (searching from `from`), or rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs: number, from?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string>;
}

/** Runs `peakwatch ARGS` in its own process group, so a test can send the group a Ctrl-C. */
export function startPeakwatch(args: string[], env: NodeJS.ProcessEnv): PeakwatchProcess {
  const proc = spawn(process.execPath, [entry, ...args], {
    env: { ...process.env, NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let text = "";
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    text += chunk.toString();
    for (const l of listeners) l();
  };
  proc.stdout!.on("data", append);
  proc.stderr!.on("data", append);
  const exited = new Promise<number | string>((resolve) =>
    proc.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")),
  );
  return {
    proc,
    output: () => text,
    exited,
    waitFor(pattern, timeoutMs, from = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = text.slice(from).match(pattern);
          if (!match) return false;
          cleanup();
          resolve(match);
          return true;
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${pattern}; output:\n${text}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(onData);
        };
        const onData = () => void check();
        if (!check()) listeners.add(onData);
      });
    },
  };
}

/** True while a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls until `predicate` holds or `timeoutMs` passes; resolves to whether it held. */
export async function eventually(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return predicate();
}

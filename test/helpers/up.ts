import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
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

/**
 * Runs `peakwatch ARGS` in its own process group, so a test can send the group a Ctrl-C.
 * A variable set to undefined in `env` is removed from what the process inherits.
 */
export function startPeakwatch(args: string[], env: NodeJS.ProcessEnv, cwd?: string): PeakwatchProcess {
  const proc = spawn(process.execPath, [entry, ...args], {
    env: { ...process.env, NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
    cwd,
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

/** Every setting a stack file could give, removed: what a new user's shell has. */
export const withoutStackSettings: NodeJS.ProcessEnv = {
  PEAKWATCH_DATA_DIR: undefined,
  PEAKWATCH_HUB_URL: undefined,
  PEAKWATCH_SHOP_URL: undefined,
  PEAKWATCH_AGENT_TOKEN: undefined,
  SHOP_ADMIN_TOKEN: undefined,
  SHOP_TEST_HOOKS_TOKEN: undefined,
  DATABASE_URL: undefined,
  HUB_DATABASE_URL: undefined,
  SHOP_DATABASE_URL: undefined,
};

/** Logs in to a hub started by `up`/`hub` with the code it prints; returns headers for API calls. */
export async function logInFromOutput(
  hubUrl: string,
  proc: PeakwatchProcess,
  email = "admin@peakwatch.local",
): Promise<{ cookie: string; csrfToken: string; headers: Record<string, string> }> {
  const from = proc.output().length;
  const post = (path: string, body: unknown) =>
    fetch(`${hubUrl}/api/v1${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const requested = await post("/auth/otp/request", { email });
  if (!requested.ok) throw new Error(`otp request answered ${requested.status}`);
  const { challengeId } = (await requested.json()) as { challengeId: string };
  const escaped = email.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const [, code] = await proc.waitFor(new RegExp(`login code for ${escaped}: (\\d{6,10})`), 20_000, from);
  const verified = await post("/auth/otp/verify", { challengeId, code });
  if (!verified.ok) throw new Error(`otp verify answered ${verified.status}`);
  const cookie = verified.headers.getSetCookie()[0]!.split(";")[0]!;
  const me = (await (await fetch(`${hubUrl}/api/v1/auth/me`, { headers: { cookie } })).json()) as {
    csrfToken: string;
  };
  return { cookie, csrfToken: me.csrfToken, headers: { cookie, "x-csrf-token": me.csrfToken } };
}

/** Pids of processes whose command line contains `needle` (Linux /proc). */
export function pidsWithArg(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(needle)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

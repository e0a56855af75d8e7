import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { seedPgliteDataDir } from "../helpers/db-template.ts";

const bin = fileURLToPath(new URL("../../bin/peakwatch.js", import.meta.url));

/** A Peakwatch component running as its own process on a throwaway data directory. */
export interface RunningProcess {
  url: string;
  pid: number;
  /** Everything it printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts `peakwatch <command>` and resolves once a line matches `ready` (its group 1 is the URL). */
export async function startProcess(
  command: "hub" | "shop",
  ready: RegExp,
  env: Record<string, string>,
): Promise<RunningProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), `pw-fuzz-${command}-`));
  // A migrated copy of its embedded database: the fuzz is about routes, not a first start.
  await seedPgliteDataDir(dataDir, command);
  const child: ChildProcess = spawn(process.execPath, [bin, command], {
    env: { PATH: process.env.PATH ?? "", PEAKWATCH_DATA_DIR: dataDir, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null) child.kill("SIGTERM");
    const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(killer);
    rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    const url = ready.exec(output)?.[1];
    if (url) return { url, pid: child.pid!, output: () => output, stop };
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`peakwatch ${command} did not start:\n${output.slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Resident memory of a process in MB (Linux /proc). */
export function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return Math.round(Number(kb) / 1024);
}

/** Time a thread spent on a CPU and waiting runnable for one (Linux /proc/…/schedstat), in ms. */
export interface ThreadTimes {
  cpuMs: number;
  runQueueMs: number;
}

/**
 * The main thread's times of process `pid` (its event loop), or of the calling thread when no
 * pid is given. Undefined where the kernel does not keep scheduler statistics.
 */
export function threadTimes(pid?: number): ThreadTimes | undefined {
  const path = pid === undefined ? "/proc/thread-self/schedstat" : `/proc/${pid}/task/${pid}/schedstat`;
  if (!existsSync(path)) return undefined;
  const [cpuNs, waitNs] = readFileSync(path, "utf8").split(" ").map(Number);
  return { cpuMs: cpuNs! / 1e6, runQueueMs: waitNs! / 1e6 };
}

/** Logs `email` in to a hub process through the OTP flow, reading the code from its console. */
export async function hubLogin(hub: RunningProcess, email: string): Promise<Record<string, string>> {
  const post = (path: string, body: unknown) =>
    fetch(`${hub.url}/api/v1${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const seen = hub.output().length;
  const requested = await post("/auth/otp/request", { email });
  const { challengeId } = (await requested.json()) as { challengeId: string };
  const pattern = new RegExp(`login code for ${email.replace(/[.+]/g, "\\$&")}: (\\d+)`);
  let code: string | undefined;
  for (let i = 0; i < 100 && !code; i++) {
    code = pattern.exec(hub.output().slice(seen))?.[1];
    if (!code) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (!code) throw new Error(`no login code for ${email} on the hub's console`);
  const verified = await post("/auth/otp/verify", { challengeId, code });
  if (verified.status !== 200) throw new Error(`login of ${email}: ${verified.status}`);
  const cookie = verified.headers.getSetCookie()[0]!.split(";")[0]!;
  const me = (await (await fetch(`${hub.url}/api/v1/auth/me`, { headers: { cookie } })).json()) as {
    csrfToken: string;
  };
  return { cookie, "x-csrf-token": me.csrfToken };
}

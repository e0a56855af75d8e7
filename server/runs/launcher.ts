import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "../../db/open.ts";
import { runs } from "../../db/schema/hub.ts";
import type { AgentTokens } from "../auth/agent-tokens.ts";

const peakwatchBin = fileURLToPath(new URL("../../bin/peakwatch.js", import.meta.url));

export interface LaunchRequest {
  runId: string;
  profile: string;
  target: string;
  rateScale?: number;
  durationScale?: number;
}

export interface LauncherOptions {
  db: Db;
  agents: AgentTokens;
  hubUrl: () => string;
  /** argv before `run …`; default `node bin/peakwatch.js`. */
  command?: ReadonlyArray<string>;
  /** Called when a run's state changes here (so live clients hear of it). */
  changed?: (runId: string) => void;
  log?: (line: string) => void;
}

/**
 * Starts load runs as child processes (`peakwatch run …`), never in the hub's event loop, each
 * with its own agent token that is revoked when the process ends. Stop sends SIGTERM so the
 * generator flushes its windows and reports the run as stopped.
 */
export class RunLauncher {
  readonly #children = new Map<string, { child: ChildProcess; stopping: boolean }>();

  constructor(private readonly options: LauncherOptions) {}

  get running(): number {
    return this.#children.size;
  }

  async launch(request: LaunchRequest): Promise<void> {
    const { agents } = this.options;
    const { id: tokenId, token } = await agents.create(`run:${request.runId}`, null);
    const [cmd, ...prefix] = this.options.command?.length
      ? this.options.command
      : [process.execPath, peakwatchBin];
    const args = [
      ...prefix,
      "run",
      request.profile,
      "--target",
      request.target,
      "--hub",
      this.options.hubUrl(),
      "--token",
      token,
      "--run-id",
      request.runId,
      "--quiet",
      ...(request.rateScale !== undefined ? ["--rate-scale", String(request.rateScale)] : []),
      ...(request.durationScale !== undefined ? ["--duration-scale", String(request.durationScale)] : []),
    ];
    const child = spawn(cmd!, args, { stdio: ["ignore", "pipe", "pipe"], env: process.env });
    const entry = { child, stopping: false };
    this.#children.set(request.runId, entry);
    const log = this.options.log ?? ((line: string) => console.log(line));
    const prefixLines = (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n")) if (line.trim()) log(`run ${request.runId}: ${line}`);
    };
    child.stdout?.on("data", prefixLines);
    child.stderr?.on("data", prefixLines);
    child.on("error", (error) => log(`run ${request.runId}: could not start: ${error.message}`));
    child.on("close", (code) => {
      this.#children.delete(request.runId);
      void (async () => {
        await agents.delete(tokenId);
        // A generator that died without a final report leaves its run unfinished: close it here.
        const status = entry.stopping ? "aborted" : code === 0 ? "passed" : "error";
        await this.options.db
          .update(runs)
          .set({ status, endedAt: Date.now() })
          .where(and(eq(runs.runId, request.runId), inArray(runs.status, ["starting", "running"])));
        this.options.changed?.(request.runId);
      })().catch((error) => log(`run ${request.runId}: cleanup failed: ${(error as Error).message}`));
    });
  }

  /** Asks a run's process to stop; false when this hub is not running it. */
  stop(runId: string): boolean {
    const entry = this.#children.get(runId);
    if (!entry) return false;
    entry.stopping = true;
    entry.child.kill("SIGTERM");
    return true;
  }

  /** Stops every run this hub started and waits (bounded) for them to exit. */
  async stopAll(timeoutMs = 10_000): Promise<void> {
    const exits = [...this.#children.values()].map(
      ({ child }) => new Promise<void>((resolve) => child.once("close", () => resolve())),
    );
    for (const runId of this.#children.keys()) this.stop(runId);
    const timer = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
    await Promise.race([Promise.all(exits), timer]);
    for (const { child } of this.#children.values()) child.kill("SIGKILL");
  }
}

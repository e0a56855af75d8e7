import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { and, eq, inArray } from "drizzle-orm";
import { sameOrigin } from "../../core/stack.ts";
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

/** The shop the hub is configured with; its tokens go only to runs that target exactly it. */
export interface LauncherShop {
  url: string;
  adminToken?: string | undefined;
  testHooksToken?: string | undefined;
}

/**
 * Variables of the hub's own environment a generator inherits. Everything else (database URLs,
 * the master key, OTP and SMTP secrets, the shop's tokens) stays in the hub.
 */
export const inheritedVariables = [
  "PATH",
  "HOME",
  "TMPDIR",
  "TZ",
  "LANG",
  "NODE_OPTIONS",
  "NODE_EXTRA_CA_CERTS",
  "NO_COLOR",
  "PEAKWATCH_DATA_DIR",
  "PEAKWATCH_ALLOWED_TARGETS",
  "PEAKWATCH_SPOOL_MAX_MB",
  "SHOP_SEED_CUSTOMERS",
] as const;

/**
 * The environment of a generator the hub starts: the allowlisted variables, the hub's URL and
 * the run's own agent token (never on the command line, where `ps` shows it to every local
 * user), and the shop's tokens only when the run targets the configured shop's origin. Every
 * setting the stack file could fill is set here, empty when withheld, so none is filled.
 */
export function runEnvironment(
  parent: NodeJS.ProcessEnv,
  run: { target: string; hubUrl: string; agentToken: string },
  shop: LauncherShop | undefined,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of inheritedVariables) if (parent[name] !== undefined) env[name] = parent[name];
  const ownShop = shop !== undefined && sameOrigin(run.target, shop.url);
  return {
    ...env,
    PEAKWATCH_HUB_URL: run.hubUrl,
    PEAKWATCH_AGENT_TOKEN: run.agentToken,
    PEAKWATCH_SHOP_URL: shop?.url ?? "",
    SHOP_ADMIN_TOKEN: (ownShop && shop.adminToken) || "",
    SHOP_TEST_HOOKS_TOKEN: (ownShop && shop.testHooksToken) || "",
  };
}

export interface LauncherOptions {
  db: Db;
  agents: AgentTokens;
  hubUrl: () => string;
  shop?: LauncherShop;
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
  /** Cleanups (token revoked, run closed) still writing; close waits for them. */
  readonly #cleanups = new Set<Promise<void>>();

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
      "--run-id",
      request.runId,
      "--quiet",
      ...(request.rateScale !== undefined ? ["--rate-scale", String(request.rateScale)] : []),
      ...(request.durationScale !== undefined ? ["--duration-scale", String(request.durationScale)] : []),
    ];
    const env = runEnvironment(
      process.env,
      { target: request.target, hubUrl: this.options.hubUrl(), agentToken: token },
      this.options.shop,
    );
    const child = spawn(cmd!, args, { stdio: ["ignore", "pipe", "pipe"], env });
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
      const cleanup = (async () => {
        await agents.delete(tokenId);
        // A generator that died without a final report leaves its run unfinished: close it here.
        const status = entry.stopping ? "aborted" : code === 0 ? "passed" : "error";
        await this.options.db
          .update(runs)
          .set({ status, endedAt: Date.now() })
          .where(and(eq(runs.runId, request.runId), inArray(runs.status, ["starting", "running"])));
        this.options.changed?.(request.runId);
      })()
        .catch((error) => log(`run ${request.runId}: cleanup failed: ${(error as Error).message}`))
        .finally(() => this.#cleanups.delete(cleanup));
      this.#cleanups.add(cleanup);
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
    // Each run is marked stopped in the database before the caller closes it.
    await Promise.all([...this.#cleanups]);
  }
}

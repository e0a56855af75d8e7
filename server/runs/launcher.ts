import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, fstatSync, mkdirSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { and, eq, inArray, isNotNull, ne } from "drizzle-orm";
import type { StopMode } from "../../core/api/ingest.ts";
import { runExitCodes } from "../../core/run.ts";
import { sameOrigin } from "../../core/stack.ts";
import { WorkerLossSchema } from "../../core/worker-loss.ts";
import type { Db } from "../../db/open.ts";
import { runs } from "../../db/schema/hub.ts";
import type { AgentTokens } from "../auth/agent-tokens.ts";
import type { Replica } from "../cluster/cluster.ts";
import type { RunCoordinator } from "./coordinator.ts";
import { type RunCommand, runArgs } from "./run-args.ts";
import { exitReason } from "./run-outcome.ts";
import type { RunWorkers } from "./run-workers.ts";

const peakwatchBin = fileURLToPath(new URL("../../bin/peakwatch.js", import.meta.url));

/** A run to start as local processes. */
export type LaunchRequest = RunCommand & {
  /** The run's project: its generator's agent token is scoped to it. */
  projectId: string;
};

export type { StopMode };

/** A lost worker's reason fits its stored loss. */
const MAX_REASON = WorkerLossSchema.shape.reason.maxLength ?? 300;
/** `stop` lets a run's processes flush and report (SIGTERM), `abort` kills them (SIGKILL). */
const signals: Record<StopMode, NodeJS.Signals> = { stop: "SIGTERM", abort: "SIGKILL" };

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
  workers: RunWorkers;
  coordinator: RunCoordinator;
  /** This replica: stored on the runs it supervises. */
  replica: Replica;
  /** The hub URL its generators report to (a load balancer's when replicas share runs). */
  hubUrl: () => string;
  /** Where each worker's output goes: `<dataDir>/runs/<runId>/<worker>.log`. */
  dataDir: string;
  shop?: LauncherShop;
  /** argv before `run …`; default `node bin/peakwatch.js`. */
  command?: ReadonlyArray<string>;
  log?: (line: string) => void;
  /** How often this replica looks for stop requests made on other replicas; default 1 s. */
  stopPollMs?: number;
}

interface RunProcesses {
  children: Map<string, ChildProcess>;
  stopping: StopMode | undefined;
  workers: number;
}

/**
 * Starts load runs as child processes (`peakwatch run …`), never in the hub's event loop: one
 * per worker, all under the run's id and one agent token that is revoked when the run ends. A
 * worker's output goes to a file, not a pipe, so generators outlive a hub replica that dies
 * and keep reporting through the load balancer while another replica adopts their run.
 *
 * Stop and abort work from any replica: the request is stored on the run, and the replica that
 * supervises it acts on it (told at once over the cluster bus, and by its own poll besides).
 */
export class RunLauncher {
  readonly #runs = new Map<string, RunProcesses>();
  /** Cleanups (token revoked, run closed) still writing; close waits for them. */
  readonly #cleanups = new Set<Promise<void>>();
  /** Stop requests already acted on, by run. */
  readonly #acted = new Map<string, StopMode>();
  #poll: NodeJS.Timeout | undefined;
  #polling: Promise<void> | undefined;

  constructor(private readonly options: LauncherOptions) {}

  /** Worker processes running on this replica. */
  get running(): number {
    let n = 0;
    for (const r of this.#runs.values()) n += r.children.size;
    return n;
  }

  /** Starts watching for stop requests made on other replicas. */
  start(): void {
    this.#poll = setInterval(() => void this.checkStopRequests(), this.options.stopPollMs ?? 1000);
    this.#poll.unref();
  }

  async launch(request: LaunchRequest): Promise<void> {
    const { agents, replica } = this.options;
    const count = request.workers ?? 1;
    // The generator's token writes into the run's project only.
    const { token } = await agents.create(`run:${request.runId}`, null, null, request.projectId);
    const names = Array.from({ length: count }, (_, index) => ({
      worker: `w${index}`,
      index,
      host: replica.host,
    }));
    await this.options.workers.register(request.runId, names);
    const [cmd, ...prefix] = this.options.command?.length
      ? this.options.command
      : [process.execPath, peakwatchBin];
    const env = runEnvironment(
      process.env,
      { target: request.target, hubUrl: this.options.hubUrl(), agentToken: token },
      this.options.shop,
    );
    const logDir = join(this.options.dataDir, "runs", request.runId);
    mkdirSync(logDir, { recursive: true, mode: 0o700 });
    const entry: RunProcesses = { children: new Map(), stopping: undefined, workers: count };
    this.#runs.set(request.runId, entry);
    const log = this.options.log ?? ((line: string) => console.log(line));
    for (const { worker, index } of names) {
      const args = [...prefix, ...runArgs(request, index)];
      const logFile = join(logDir, `${worker}.log`);
      const out = openSync(logFile, "a", 0o600);
      const child = spawn(cmd!, args, { stdio: ["ignore", out, out], env });
      closeSync(out);
      entry.children.set(worker, child);
      const where = count > 1 ? `run ${request.runId} ${worker}` : `run ${request.runId}`;
      child.on("error", (error) => log(`${where}: could not start: ${error.message}`));
      if (child.pid !== undefined) {
        log(`${where}: started (pid ${child.pid}), output in ${logFile}`);
        void this.options.workers.setPid(request.runId, worker, child.pid).catch(() => {});
      }
      child.on("close", (code, signal) => {
        entry.children.delete(worker);
        // The cause, for the log and for the run's verdict when the worker is lost.
        const cause = `${exitReason(code, signal)}; last output: ${lastLines(logFile)}`.slice(0, MAX_REASON);
        if (code !== 0 && !entry.stopping) log(`${where}: ${cause}`);
        const cleanup = this.#ended(request.runId, worker, entry, code, cause)
          .catch((error) => log(`${where}: cleanup failed: ${(error as Error).message}`))
          .finally(() => this.#cleanups.delete(cleanup));
        this.#cleanups.add(cleanup);
      });
    }
    if (entry.children.size === 0) this.#runs.delete(request.runId);
  }

  async #ended(
    runId: string,
    worker: string,
    entry: RunProcesses,
    code: number | null,
    cause: string,
  ): Promise<void> {
    const { coordinator } = this.options;
    // A worker that ran its share to the end exits passed or failed (thresholds); one that broke
    // (4), was stopped by someone else (130, e.g. a SIGTERM the hub did not send) or died is lost:
    // part of its share was never sent.
    const clean =
      code === runExitCodes.passed || code === runExitCodes.failed || entry.stopping !== undefined;
    if (clean) await this.options.workers.ended(runId, worker, { state: "exited", exitCode: code });
    else await coordinator.lose(runId, worker, cause, code);
    if (entry.children.size > 0) return;
    this.#runs.delete(runId);
    if (entry.workers === 1) {
      // One generator reports its own ending; one that died without a report leaves its run open.
      const status = entry.stopping ? "aborted" : code === 0 ? "passed" : "error";
      await coordinator.close(runId, status);
    } else {
      await coordinator.finishIfEnded(runId);
    }
  }

  /**
   * Ends a run's processes on this replica; false when none run here. Idempotent: the same mode
   * twice signals once.
   */
  stop(runId: string, mode: StopMode = "stop"): boolean {
    const entry = this.#runs.get(runId);
    if (!entry) return false;
    if (entry.stopping === mode || entry.stopping === "abort") return true;
    entry.stopping = mode;
    for (const child of entry.children.values()) child.kill(signals[mode]);
    return true;
  }

  /**
   * Acts on stop requests stored for runs this replica supervises: its own processes, and the
   * local processes of runs it adopted from a lost replica on the same host (by pid). Never throws.
   */
  async checkStopRequests(): Promise<void> {
    this.#polling ??= this.#checkStopRequests()
      .catch((error) => (this.options.log ?? console.error)(`stop requests: ${(error as Error).message}`))
      .finally(() => {
        this.#polling = undefined;
      });
    return this.#polling;
  }

  async #checkStopRequests(): Promise<void> {
    const { db, replica } = this.options;
    const requested = await db
      .select({ runId: runs.runId, stopRequest: runs.stopRequest })
      .from(runs)
      .where(
        and(
          eq(runs.supervisorKey, replica.key),
          isNotNull(runs.stopRequest),
          inArray(runs.status, ["starting", "running"]),
          // Pods hear theirs in the ingest answer; the supervisor ends the run when they fall silent.
          ne(runs.placement, "kubernetes"),
        ),
      );
    for (const { runId, stopRequest } of requested) {
      const mode: StopMode = stopRequest === "abort" ? "abort" : "stop";
      if (this.#acted.get(runId) === mode) continue;
      this.#acted.set(runId, mode);
      if (this.stop(runId, mode)) continue;
      await this.#stopAdopted(runId, mode);
    }
  }

  /** Signals the processes of an adopted run that run on this host; the others cannot be reached from here. */
  async #stopAdopted(runId: string, mode: StopMode): Promise<void> {
    const { replica, coordinator } = this.options;
    const workers = await this.options.workers.list(runId);
    for (const w of workers) {
      if (w.host !== replica.host || w.pid === null || (w.state !== "starting" && w.state !== "running"))
        continue;
      try {
        process.kill(w.pid, signals[mode]);
      } catch {
        // Gone already.
      }
    }
    // Nobody here waits for those processes to exit: the run ends now; late windows still count.
    if (mode === "abort" || workers.every((w) => w.host !== replica.host || w.pid === null))
      await coordinator.close(runId, "aborted");
  }

  /** Stops every run this hub started and waits (bounded) for them to exit. */
  async stopAll(timeoutMs = 10_000): Promise<void> {
    clearInterval(this.#poll);
    await this.#polling;
    const children = [...this.#runs.values()].flatMap((r) => [...r.children.values()]);
    const exits = children.map(
      (child) => new Promise<void>((resolve) => child.once("close", () => resolve())),
    );
    for (const runId of this.#runs.keys()) {
      await this.options.coordinator.requestStop(runId, "stop").catch(() => {});
      this.stop(runId);
    }
    const timer = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
    await Promise.race([Promise.all(exits), timer]);
    for (const r of this.#runs.values()) for (const child of r.children.values()) child.kill("SIGKILL");
    // Each run is marked stopped in the database before the caller closes it.
    await Promise.all([...this.#cleanups]);
  }
}

/** The last few lines of a worker's output, for the hub's log when it fails. */
function lastLines(file: string, count = 3): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    const size = fstatSync(fd).size;
    const tail = Buffer.alloc(Math.min(size, 4096));
    readSync(fd, tail, 0, tail.length, size - tail.length);
    const lines = tail.toString().trimEnd().split("\n");
    return lines.slice(-count).join(" | ") || "(none)";
  } catch {
    return "(unreadable)";
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

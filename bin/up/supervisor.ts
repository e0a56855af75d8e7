import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type BackoffOptions, defaultBackoff, nextDelay } from "./backoff.ts";
import { HealthWatch } from "./health-watch.ts";
import type { LogSource, PrefixedLog } from "./log.ts";

/** One supervised component: `peakwatch <command>` run as its own process. */
export interface ChildSpec {
  name: Exclude<LogSource, "up">;
  env: NodeJS.ProcessEnv;
  /** GET this URL; a 200 means the child is healthy. */
  healthUrl: string;
}

const entry = fileURLToPath(new URL("../peakwatch.js", import.meta.url));
const STOP_GRACE_MS = 8_000;
/** How long a hung child gets to act on SIGTERM before SIGKILL (a stuck event loop never will). */
const HUNG_GRACE_MS = 3_000;

export interface SupervisorOptions {
  backoff?: BackoffOptions;
  /** A child that answered /healthz once and then stays silent this long is restarted. */
  unhealthyAfterMs?: number;
}

interface Running {
  spec: ChildSpec;
  process: ChildProcess | undefined;
  startedAt: number;
  quickCrashes: number;
  restarts: number;
  timer: NodeJS.Timeout | undefined;
  watch: HealthWatch | undefined;
}

/**
 * Starts each child as a separate process, restarts a crashed one with backoff (and says so),
 * restarts one whose /healthz stops answering (a hung event loop never exits by itself), and
 * stops them all on `stop()`, killing any that outlive the grace period.
 */
export class Supervisor {
  private readonly children: Running[];
  private stopping = false;
  private readonly backoff: BackoffOptions;
  private readonly unhealthyAfterMs: number;

  constructor(
    specs: ReadonlyArray<ChildSpec>,
    private readonly log: PrefixedLog,
    options: SupervisorOptions = {},
  ) {
    this.backoff = options.backoff ?? defaultBackoff;
    this.unhealthyAfterMs = options.unhealthyAfterMs ?? 30_000;
    this.children = specs.map((spec) => ({
      spec,
      process: undefined,
      startedAt: 0,
      quickCrashes: 0,
      restarts: 0,
      timer: undefined,
      watch: undefined,
    }));
  }

  /** Starts the named children (all when none are named); each is started at most once. */
  start(names?: ReadonlyArray<ChildSpec["name"]>): void {
    for (const child of this.children) {
      if (this.stopping || child.process || child.startedAt > 0) continue;
      if (!names || names.includes(child.spec.name)) this.launch(child);
    }
  }

  /** Pids of the running children, by name. */
  pids(): Record<string, number | undefined> {
    return Object.fromEntries(this.children.map((c) => [c.spec.name, c.process?.pid]));
  }

  private launch(child: Running): void {
    child.timer = undefined;
    const proc = spawn(process.execPath, [entry, child.spec.name], {
      env: child.spec.env,
      // The IPC channel closes if the supervisor dies, and the child then exits by itself.
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    child.process = proc;
    child.startedAt = Date.now();
    this.log.pipe(child.spec.name, proc.stdout!);
    this.log.pipe(child.spec.name, proc.stderr!);
    this.log.line("up", `started ${child.spec.name} (pid ${proc.pid})`);
    proc.once("exit", (code, signal) => this.exited(child, proc, code, signal));
    child.watch = new HealthWatch({
      url: child.spec.healthUrl,
      unhealthyAfterMs: this.unhealthyAfterMs,
      onHung: (silentMs) => this.hung(child, proc, silentMs),
    });
    child.watch.start();
  }

  /** A child that stopped answering: SIGTERM, SIGKILL after a short grace; `exited` restarts it. */
  private hung(child: Running, proc: ChildProcess, silentMs: number): void {
    if (this.stopping || child.process !== proc) return;
    this.log.line(
      "up",
      `${child.spec.name} has not answered ${child.spec.healthUrl} for ${Math.round(silentMs / 1000)} s; restarting it`,
    );
    proc.kill("SIGTERM");
    setTimeout(() => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
    }, HUNG_GRACE_MS).unref();
  }

  private exited(
    child: Running,
    proc: ChildProcess,
    code: number | null,
    signal: NodeJS.Signals | null,
  ): void {
    if (child.process === proc) {
      child.process = undefined;
      child.watch?.stop();
    }
    if (this.stopping) return;
    const ranFor = Date.now() - child.startedAt;
    const delay = nextDelay(this.backoff, child.quickCrashes, ranFor);
    child.quickCrashes = ranFor >= this.backoff.stableAfterMs ? 0 : child.quickCrashes + 1;
    child.restarts += 1;
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    this.log.line(
      "up",
      `${child.spec.name} ${how}; restarting in ${(delay / 1000).toFixed(2)} s (restart #${child.restarts})`,
    );
    child.timer = setTimeout(() => {
      if (this.stopping) return;
      this.log.line("up", `restarted ${child.spec.name}`);
      this.launch(child);
    }, delay);
  }

  /** Resolves when every child has exited: SIGTERM first, SIGKILL after the grace period. */
  async stop(): Promise<void> {
    this.stopping = true;
    const waits = this.children.map(async (child) => {
      if (child.timer) clearTimeout(child.timer);
      child.watch?.stop();
      const proc = child.process;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
      proc.kill("SIGTERM");
      const timer = setTimeout(() => {
        this.log.line("up", `${child.spec.name} did not stop within ${STOP_GRACE_MS / 1000} s; killing it`);
        proc.kill("SIGKILL");
      }, STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    });
    await Promise.all(waits);
  }

  /** Forcefully kills every child at once (a second Ctrl-C). */
  kill(): void {
    this.stopping = true;
    for (const child of this.children) child.process?.kill("SIGKILL");
  }
}

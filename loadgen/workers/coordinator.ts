import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { type Profile, profileSeconds, rateSegments } from "../../core/profile.ts";
import { RateSchedule } from "../../core/rate.ts";
import {
  type FaultMarker,
  type RunExitCode,
  type RunReport,
  type RunStatus,
  runExitCode,
} from "../../core/run.ts";
import { verdictLine } from "../../core/threshold.ts";
import { describeWorkerLoss, type WorkerLoss, workerLoss } from "../../core/worker-loss.ts";
import { type Clock, systemClock } from "../clock.ts";
import { type RunFiles, writeRunFiles } from "../outputs/files.ts";
import { HubOutput } from "../outputs/hub.ts";
import { ProgressPrinter } from "../outputs/progress.ts";
import { buildSummary, type RunSummary } from "../outputs/summary.ts";
import { fetchVerdict } from "../outputs/verdict.ts";
import { judgeRun } from "../run-outcome.ts";
import { RunStats } from "../run-stats.ts";
import { ThresholdWatch } from "../thresholds.ts";
import { COORDINATED_ENV, type CoordinatorMessage, type WorkerMessage } from "./messages.ts";
import { SecondMerger } from "./second-merger.ts";

const peakwatchBin = fileURLToPath(new URL("../../bin/peakwatch.js", import.meta.url));

export interface CoordinatorOptions {
  /** The whole run's profile (every rate, the fault timeline). */
  profile: Profile;
  profileName: string;
  target: string;
  runId: string;
  workers: number;
  /** `peakwatch run` arguments every worker gets (profile, target, hub, scales); no secrets. */
  workerArgs: string[];
  /** Environment of every worker (tokens go here, not on the command line). */
  workerEnv: (index: number) => NodeJS.ProcessEnv;
  hub?: { url: string; token: string };
  dataDir: string;
  outDir: string;
  /** A start instant fixed by the user (--start-at); otherwise when every worker is warm. */
  startAt?: number;
  /** Debug: each worker writes its raw latencies to `${rawSamples}.w<index>`. */
  rawSamples?: string;
  signal?: AbortSignal;
  progress?: NodeJS.WriteStream;
  log?: (message: string) => void;
  clock?: Clock;
  /** A worker that sends nothing for this long after the start is taken for dead (ms). */
  silenceMs?: number;
}

export interface CoordinatorOutcome {
  summary: RunSummary;
  /** See runExitCodes: 0 passed, 1 a threshold failed, 3 degraded (a worker stopped early), 4 error, 130 stopped. */
  exitCode: RunExitCode;
  files: RunFiles;
  losses: WorkerLoss[];
  /** Spread of the workers' wake-up at the start instant (max − min), ms. */
  startSkewMs: number;
  /** From the coordinator's "go" to the start instant: how long the barrier waited, ms. */
  barrierMs: number;
  /** Time spent merging the workers' windows, ms. */
  mergeMs: number;
}

interface Worker {
  name: string;
  index: number;
  child: ChildProcess;
  ready: boolean;
  woke?: number;
  lastHeard: number;
  done?: Extract<WorkerMessage, { type: "done" }>;
  exited: boolean;
  loss?: WorkerLoss;
}

/** After every worker is warm: time for the "start" message to reach them all. */
const BARRIER_LEAD_MS = 300;
/** How long the coordinator waits for every worker to connect and warm up. */
const READY_TIMEOUT_MS = 120_000;

/**
 * `peakwatch run --workers N` on one machine: starts N generator processes under one run id,
 * each sending its execution segment of the one schedule from a common start instant; merges
 * their windows second by second into one progress line, one set of thresholds and one report
 * (the hub, if any, gets the windows from each worker and merges them itself). A worker that
 * exits before it is done makes the run "degraded", with its missing share of the schedule.
 */
export async function coordinate(o: CoordinatorOptions): Promise<CoordinatorOutcome> {
  const clock = o.clock ?? systemClock;
  const log = o.log ?? ((m: string) => console.error(m));
  const { profile } = o;
  const openModel = profile.stages[0]?.rate !== undefined;
  const schedule = openModel ? new RateSchedule(rateSegments(profile)) : undefined;
  const planned = profileSeconds(profile);
  const stats = new RunStats(Math.max(10, ...profile.thresholds.map((t) => t.window)) + 5);
  const watch = new ThresholdWatch(profile.thresholds);
  const names = Array.from({ length: o.workers }, (_, i) => `w${i}`);
  const merger = new SecondMerger(names, [stats]);
  const hub = o.hub
    ? new HubOutput({
        hubUrl: o.hub.url,
        token: o.hub.token,
        dataDir: o.dataDir,
        maxSpoolBytes: 16 * 1024 * 1024,
        log,
      })
    : undefined;

  let startMs: number | undefined;
  let abortedBy: RunSummary["abortedBy"];
  let stopping = false;
  const workers: Worker[] = names.map((name, index) => spawnWorker(o, name, index));
  const report = (status: RunStatus, extra: Partial<RunReport> = {}): RunReport => ({
    runId: o.runId,
    profile: o.profileName,
    target: o.target,
    status,
    startedAt: Math.round(startMs ?? clock.now()),
    plannedSeconds: planned,
    workers: o.workers,
    workerLosses: lossesOf(),
    thresholds: [],
    faults: faultsOf(),
    ...extra,
  });
  const lossesOf = () => workers.flatMap((w) => (w.loss ? [w.loss] : []));
  const faultsOf = (): FaultMarker[] => workers[0]?.done?.faults ?? [];
  const stopAll = () => {
    stopping = true;
    for (const w of workers) if (!w.exited) w.child.kill("SIGTERM");
  };

  let everyoneExited: () => void = () => {};
  const allExited = new Promise<void>((resolve) => {
    everyoneExited = resolve;
  });
  let allReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    allReady = resolve;
  });
  const checkReady = () => {
    if (workers.every((w) => w.ready || w.exited)) allReady();
  };

  const lose = (w: Worker, reason: string) => {
    if (w.loss || w.done) return;
    // Its data reaches as far as its newest window: what it sent after that died with it.
    const newest = merger.newestSecond(w.name);
    const now = clock.now();
    const until = newest === undefined ? now : Math.min(now, (newest + 1) * 1000);
    const after = startMs === undefined ? 0 : (until - startMs) / 1000;
    w.loss = workerLoss(
      { worker: w.name, segment: { index: w.index, count: o.workers }, reason, stoppedAfterSeconds: after },
      schedule ? { schedule } : { plannedSeconds: planned },
    );
    log(`degraded: ${describeWorkerLoss(w.loss)}`);
    hub?.setReport(report("running"));
  };

  for (const w of workers) {
    w.child.on("message", (m: WorkerMessage) => {
      w.lastHeard = clock.now();
      if (m.type === "ready") {
        w.ready = true;
        checkReady();
      } else if (m.type === "started") w.woke = m.wokeMs;
      else if (m.type === "windows") merger.accept(w.name, m.windows, clock.now());
      else if (m.type === "done") w.done = m;
    });
    // "close", not "exit": by then every message the worker sent has been read.
    w.child.on("close", (code, signal) => {
      w.exited = true;
      if (!w.done && !stopping) lose(w, signal ? `exited on ${signal}` : `exit code ${code}`);
      else if (!w.done)
        lose(w, `exited while stopping (${signal ?? `exit code ${code}`}) without its final windows`);
      merger.ended(w.name, clock.now());
      checkReady();
      if (workers.every((x) => x.exited)) everyoneExited();
    });
  }

  const onSignal = () => {
    abortedBy ??= { signal: String(o.signal?.reason ?? "SIGINT") };
    stopAll();
  };
  if (o.signal?.aborted) onSignal();
  o.signal?.addEventListener("abort", onSignal, { once: true });

  // The start barrier: every worker connects and warms up, then all start at one instant.
  const goMs = clock.now();
  let readyTimer: NodeJS.Timeout | undefined;
  await Promise.race([
    ready,
    new Promise<void>((resolve) => {
      readyTimer = setTimeout(resolve, READY_TIMEOUT_MS);
    }),
  ]);
  clearTimeout(readyTimer);
  startMs = Math.max(o.startAt ?? 0, Math.ceil(clock.now()) + BARRIER_LEAD_MS);
  const barrierMs = startMs - goMs;
  for (const w of workers) {
    if (!w.ready && !w.exited) lose(w, `not ready within ${READY_TIMEOUT_MS / 1000} s`);
    if (w.ready && !w.exited && w.child.connected)
      w.child.send({ type: "start", at: startMs } satisfies CoordinatorMessage);
    w.lastHeard = startMs;
  }
  for (const w of workers) if (w.loss && !w.exited) w.child.kill("SIGKILL");
  hub?.setReport(report("running"));
  hub?.start();

  const printer = o.progress ? new ProgressPrinter(o.progress) : undefined;
  const silenceMs = o.silenceMs ?? 15_000;
  let lastSecond = -1;
  const ticker = setInterval(() => {
    const now = clock.now();
    merger.release(now);
    for (const w of workers)
      if (!w.exited && !w.done && !w.loss && now - w.lastHeard > silenceMs) {
        lose(w, `silent for ${Math.round(silenceMs / 1000)} s`);
        w.child.kill("SIGKILL");
      }
    const elapsed = (now - startMs!) / 1000;
    if (elapsed < 0 || Math.floor(elapsed) === lastSecond) return;
    lastSecond = Math.floor(elapsed);
    const failing = watch.check(stats, elapsed);
    if (failing && !stopping) {
      abortedBy = failing;
      log(`threshold ${failing.expression} failed over its window (${failing.value}): stopping the run`);
      stopAll();
    }
    const total = stats.requestCount();
    const errors = [...stats.totals].reduce((n, [s, t]) => n + (s === "journey" ? 0 : t.errors), 0);
    const live = workers.filter((w) => !w.exited).length;
    printer?.show({
      elapsed,
      total: planned,
      targetRate: schedule?.rateAt(elapsed) ?? 0,
      point: stats.latest(),
      errorRate: total === 0 ? 0 : errors / total,
      workers: `${live}/${o.workers}`,
    });
    if (lastSecond % 5 === 0) hub?.setReport(report("running"));
  }, 200);

  await allExited;
  clearInterval(ticker);
  o.signal?.removeEventListener("abort", onSignal);
  merger.release(clock.now(), true);
  printer?.end();

  const losses = lossesOf();
  const thresholds = watch.final(stats);
  const statuses = workers.flatMap((w) => (w.done ? [w.done.status] : []));
  const { status, extra, breakpoint, stoppedBy } = judgeRun({
    error: statuses.includes("error"),
    abortedBy,
    lostWorkers: losses.length,
    breakpoint: Boolean(profile.breakpoint),
    highestRateHeld: watch.highestRateHeld,
    thresholds,
  });
  const woke = workers.flatMap((w) => (w.woke === undefined ? [] : [w.woke]));
  const startSkewMs = woke.length === 0 ? 0 : Math.max(...woke) - Math.min(...woke);
  const words = [...extra, ...losses.map(describeWorkerLoss)].join("; ");
  const verdict = verdictLine(status, stats.totals, thresholds, words || undefined);
  const endedAt = Math.round(clock.now());
  let hubFigures: RunSummary["hub"];
  if (hub) {
    hub.setReport(report(status, { endedAt, thresholds, verdict, ...(stoppedBy ? { stoppedBy } : {}) }));
    const { pending } = await hub.close(Date.now() + 30_000);
    // What the workers left unsent adds to the coordinator's own.
    const fromWorkers = workers.reduce((n, w) => n + (w.done?.hub?.pending ?? 0), 0);
    hubFigures = {
      sent: workers.reduce((n, w) => n + (w.done?.hub?.sent ?? 0), 0),
      pending: pending + fromWorkers,
      discarded: hub.discarded + workers.reduce((n, w) => n + (w.done?.hub?.discarded ?? 0), 0),
    };
  }
  const hubVerdict = o.hub && !hubFigures?.pending ? await fetchVerdict(o.hub, o.runId) : null;
  const summary = buildSummary(
    {
      runId: o.runId,
      profile: o.profileName,
      target: o.target,
      status,
      verdict,
      startedAt: startMs,
      endedAt,
      plannedSeconds: planned,
      thresholds,
      faults: faultsOf(),
      abortedBy,
      breakpoint,
      hub: hubFigures,
      combinedVerdict: hubVerdict ?? undefined,
      workers: o.workers,
      workerLosses: losses,
      startSkewMs: Math.round(startSkewMs * 100) / 100,
    },
    stats,
  );
  const files = writeRunFiles(o.outDir, summary, stats, hubVerdict);
  return {
    summary,
    exitCode: runExitCode(status),
    files,
    losses,
    startSkewMs,
    barrierMs,
    mergeMs: merger.mergeMs,
  };
}

/** Starts worker `index` as `peakwatch run … --workers N --worker-index I` with an IPC channel. */
function spawnWorker(o: CoordinatorOptions, name: string, index: number): Worker {
  const args = [
    ...process.execArgv,
    peakwatchBin,
    "run",
    ...o.workerArgs,
    "--run-id",
    o.runId,
    "--workers",
    String(o.workers),
    "--worker-index",
    String(index),
    "--out",
    join(o.outDir, "workers", name),
    "--quiet",
    ...(o.rawSamples ? ["--raw-samples", `${o.rawSamples}.${name}`] : []),
  ];
  const child = spawn(process.execPath, args, {
    stdio: ["ignore", "ignore", "pipe", "ipc"],
    env: { ...o.workerEnv(index), [COORDINATED_ENV]: "1" },
  });
  const log = o.log ?? ((m: string) => console.error(m));
  if (child.stderr) createInterface({ input: child.stderr }).on("line", (line) => log(`[${name}] ${line}`));
  return { name, index, child, ready: false, lastHeard: Number.POSITIVE_INFINITY, exited: false };
}

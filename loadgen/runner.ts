import { setMaxListeners } from "node:events";
import type { ExecutionSegment } from "../core/execution-segment.ts";
import type { LatencySummary } from "../core/histogram.ts";
import { type Profile, profileSeconds } from "../core/profile.ts";
import { type RunExitCode, type RunReport, type RunStatus, runExitCode } from "../core/run.ts";
import { verdictLine } from "../core/threshold.ts";
import { type Clock, sleep, systemClock } from "./clock.ts";
import { executorFor } from "./executors/index.ts";
import { FaultTimeline } from "./faults.ts";
import { HttpClient } from "./http-client.ts";
import { writeRunFiles } from "./outputs/files.ts";
import { HubOutput } from "./outputs/hub.ts";
import { ProgressPrinter } from "./outputs/progress.ts";
import { buildSummary, type RunSummary } from "./outputs/summary.ts";
import { fetchVerdict } from "./outputs/verdict.ts";
import { judgeRun } from "./run-outcome.ts";
import { RunStats } from "./run-stats.ts";
import { SchedulingLag, schedulingLagLine } from "./scheduling-lag.ts";
import { collectStartupGarbage } from "./startup-gc.ts";
import { ThresholdWatch } from "./thresholds.ts";
import { firstUserOf, SEEDED_CUSTOMERS } from "./virtual-user.ts";
import { type RequestListener, WindowAggregator, type WindowSink } from "./window-aggregator.ts";

export interface RunOptions {
  profile: Profile;
  /** Display name of the profile (built-in name or file). */
  profileName: string;
  target: string;
  runId: string;
  worker?: string;
  hub?: { url: string; token: string; flushTimeoutMs?: number };
  dataDir: string;
  maxSpoolBytes?: number;
  /** Where summary.json, thresholds.xml and report.html go. */
  outDir: string;
  adminToken?: string;
  testHooksToken?: string;
  /** Seeded shop customers (customer1..N@shop.test); 2000 by default like the shop. */
  customers?: number;
  clock?: Clock;
  /** Aborting it stops the run as Ctrl-C does (status "aborted"). */
  signal?: AbortSignal;
  progress?: NodeJS.WriteStream;
  log?: (message: string) => void;
  /** Extra window sinks (tests, a coordinator's pipe). */
  sinks?: WindowSink[];
  /** This process's slice of a split run's schedule (default: all of it). */
  segment?: ExecutionSegment;
  /**
   * The start barrier of a split run: the common start instant (epoch ms), or how to learn it
   * once this process is warmed up. The run waits for it; without it, it starts at once.
   */
  startAt?: number | (() => Promise<number>);
  /** Called at the start instant with the moment this process actually woke for it (epoch ms). */
  onStart?: (startMs: number, wokeMs: number) => void;
  /** False when a coordinator reports the run to the hub: this process sends windows only. */
  reportRun?: boolean;
  /** Workers the run is split over, for the run report (default 1). */
  workers?: number;
  /** Debug: sees every request as it is recorded (raw-sample dumps). */
  onRequest?: RequestListener;
  /**
   * Open model: a full garbage collection between the warm-up and the start instant (see
   * collectStartupGarbage). For a process of the run's own: it holds the event loop ~20 ms, so
   * callers sharing theirs (tests timing their own loop) leave it off.
   */
  collectBeforeStart?: boolean;
}

export interface RunOutcome {
  summary: RunSummary;
  /** See runExitCodes: 0 passed, 1 a threshold failed, 4 error, 130 stopped. */
  exitCode: RunExitCode;
  files: { summary: string; junit: string; html: string };
  /** Requests the executor sent and recorded. */
  requests: number;
  /** The generator's own lateness per arrival, ms (open model; never part of request latency). */
  schedulingLag?: LatencySummary;
  /** Connections opened and warmed before the first arrival, and how long that took (ms). */
  warmUp?: { connections: number; answered: number; ms: number };
}

/** Between the end of the warm-up and the first arrival: room for the first timer to fire. */
const START_SLACK_MS = 5;

/**
 * Runs a profile end to end: executor → per-second windows → hub, thresholds, progress; then
 * clears faults, flushes, and writes the JSON summary, JUnit XML and HTML report.
 */
export async function runLoad(o: RunOptions): Promise<RunOutcome> {
  const clock = o.clock ?? systemClock;
  const log = o.log ?? ((m: string) => console.error(m));
  const { profile } = o;
  // Open model: the pool is connected and warmed first, and the start instant taken after, so
  // the first arrivals neither wait for handshakes nor inherit set-up time as latency.
  const openModel = profile.stages[0]?.rate !== undefined;
  let http: HttpClient | undefined;
  let warmUp: RunOutcome["warmUp"];
  if (openModel && !o.signal?.aborted) {
    const { connections, timeout } = profile.executor;
    http = new HttpClient(o.target, clock, connections, timeout * 1000);
    const warmed = await http.warm(connections, "/", timeout * 1000);
    warmUp = { connections, ...warmed };
    if (warmed.answered === 0) log(`warm-up: ${o.target} did not answer any of ${connections} requests`);
  }
  const lag = openModel ? new SchedulingLag() : undefined;
  if (openModel && o.collectBeforeStart) collectStartupGarbage();
  let startMs = Math.ceil(clock.now()) + START_SLACK_MS;
  if (o.startAt !== undefined && !o.signal?.aborted) {
    // Every worker of a split run keeps the common instant, even one that warmed up past it:
    // its arrivals then go out late (scheduling lag) rather than off the shared schedule.
    startMs = typeof o.startAt === "number" ? o.startAt : await o.startAt();
    const early = startMs - clock.now();
    if (early < 0) log(`start barrier: ready ${(-early).toFixed(0)} ms after the common start instant`);
    await sleep(early, o.signal);
  }
  o.onStart?.(startMs, clock.now());
  const executor = executorFor(profile, startMs, o.segment);
  const planned = profileSeconds(profile);
  const watch = new ThresholdWatch(profile.thresholds);
  const longestWindow = Math.max(10, ...profile.thresholds.map((t) => t.window));
  const stats = new RunStats(longestWindow + 5);
  const controller = new AbortController();
  // Every thinking virtual user listens for the stop: thousands of listeners are expected.
  setMaxListeners(0, controller.signal);
  let abortedBy: RunSummary["abortedBy"];
  const stopBy = (signal: string) => {
    abortedBy ??= { signal };
    controller.abort();
  };
  const hub = o.hub
    ? new HubOutput({
        hubUrl: o.hub.url,
        token: o.hub.token,
        dataDir: o.dataDir,
        maxSpoolBytes: o.maxSpoolBytes ?? 256 * 1024 * 1024,
        log,
        runId: o.runId,
        onStop: (mode) => {
          log(`the hub asked this run to ${mode}: stopping (clearing faults, flushing windows)`);
          stopBy(`${mode} from the hub`);
        },
      })
    : undefined;
  const aggregator = new WindowAggregator(
    {
      runId: o.runId,
      worker: o.worker ?? "w0",
      graceMs: profile.executor.maxQueueDelay * 1000 + 300,
      targetOf: executor.targetOf,
      firstSecond: Math.floor(startMs / 1000),
      onRequest: o.onRequest,
    },
    [stats, ...(hub ? [hub] : []), ...(o.sinks ?? [])],
  );
  const faults =
    profile.faults.length > 0 && o.adminToken
      ? new FaultTimeline(profile.faults, o.target, o.adminToken, clock, log)
      : undefined;

  const report = (status: RunStatus, extra: Partial<RunReport> = {}): RunReport => ({
    runId: o.runId,
    profile: o.profileName,
    target: o.target,
    status,
    startedAt: Math.round(startMs),
    plannedSeconds: planned,
    workers: o.workers ?? 1,
    workerLosses: [],
    thresholds: [],
    faults: faults?.markers ?? [],
    ...extra,
  });
  const reportRun = o.reportRun ?? true;
  if (reportRun) hub?.setReport(report("running"));
  hub?.start();
  faults?.start(startMs, planned);

  const onSignal = () => stopBy(String(o.signal?.reason ?? "SIGINT"));
  if (o.signal?.aborted) onSignal();
  o.signal?.addEventListener("abort", onSignal, { once: true });

  const printer = o.progress ? new ProgressPrinter(o.progress) : undefined;
  let lastSecond = 0;
  const ticker = setInterval(() => {
    const now = clock.now();
    aggregator.flush(now);
    const elapsed = (now - startMs) / 1000;
    if (Math.floor(elapsed) === lastSecond) return;
    lastSecond = Math.floor(elapsed);
    const failing = watch.check(stats, elapsed);
    if (failing && !controller.signal.aborted) {
      abortedBy = failing;
      log(`threshold ${failing.expression} failed over its window (${failing.value}): stopping the run`);
      controller.abort();
    }
    const total = stats.requestCount();
    const errors = [...stats.totals].reduce((n, [s, t]) => n + (s === "journey" ? 0 : t.errors), 0);
    printer?.show({
      elapsed,
      total: planned,
      targetRate: executor.targetRateAt(now),
      active: executor.status().active,
      point: stats.latest(),
      errorRate: total === 0 ? 0 : errors / total,
    });
    if (reportRun && lastSecond % 5 === 0) hub?.setReport(report("running"));
  }, 200);

  let runError: unknown;
  const customers = o.customers ?? SEEDED_CUSTOMERS;
  try {
    await executor.run({
      target: o.target,
      clock,
      aggregator,
      signal: controller.signal,
      testHooksToken: o.testHooksToken,
      customers,
      firstUser: firstUserOf(o.runId, o.segment?.index ?? 0, o.segment?.count ?? 1, customers),
      http,
      lag,
    });
  } catch (error) {
    runError = error;
    log(`run failed: ${(error as Error).message}`);
  }
  clearInterval(ticker);
  o.signal?.removeEventListener("abort", onSignal);
  aggregator.flush(clock.now(), true);
  printer?.end();
  await faults?.stop(startMs);

  const thresholds = watch.final(stats);
  const { status, extra, breakpoint, stoppedBy } = judgeRun({
    error: runError !== undefined,
    abortedBy,
    lostWorkers: 0,
    breakpoint: Boolean(profile.breakpoint),
    highestRateHeld: watch.highestRateHeld,
    thresholds,
  });
  const verdict = verdictLine(status, stats.totals, thresholds, extra.join("; ") || undefined);
  const endedAt = Math.round(clock.now());
  // A split run's other workers stop on it: the hub that closes the run reads this, and names the worker.
  const split = (o.workers ?? 1) > 1 && o.worker !== undefined;
  const stoppedByWorker = stoppedBy && { ...stoppedBy, ...(split ? { worker: o.worker } : {}) };
  const finalReport = report(status, {
    endedAt,
    thresholds,
    verdict,
    ...(stoppedByWorker ? { stoppedBy: stoppedByWorker } : {}),
  });
  let hubFigures: RunSummary["hub"];
  if (hub) {
    if (reportRun) hub.setReport(finalReport);
    const { pending } = await hub.close(Date.now() + (o.hub?.flushTimeoutMs ?? 30_000));
    if (pending > 0)
      log(`hub still unreachable: ${pending} batches left in the spool for the next run to replay`);
    hubFigures = { sent: hub.sent, pending, discarded: hub.discarded };
  }
  // The hub knows which alerts fired during the run: the JUnit file names them next to thresholds.
  const hubVerdict =
    reportRun && o.hub && hub && !hubFigures?.pending ? await fetchVerdict(o.hub, o.runId) : null;
  const summary = buildSummary(
    {
      runId: o.runId,
      profile: o.profileName,
      target: o.target,
      status,
      verdict,
      startedAt: Math.round(startMs),
      endedAt,
      plannedSeconds: planned,
      thresholds,
      faults: faults?.markers ?? [],
      abortedBy,
      breakpoint,
      hub: hubFigures,
      combinedVerdict: hubVerdict ?? undefined,
    },
    stats,
  );
  const files = writeRunFiles(o.outDir, summary, stats, hubVerdict);
  const schedulingLag = lag?.summary();
  if (schedulingLag && schedulingLag.count > 0) log(schedulingLagLine(schedulingLag));
  return {
    summary,
    exitCode: runExitCode(status),
    files,
    requests: aggregator.requests,
    schedulingLag,
    warmUp,
  };
}

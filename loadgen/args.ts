import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { argsErrorMessage } from "../core/cli-args.ts";
import { autoWorkers } from "../core/run.ts";

/** Parsed `peakwatch run` arguments (flags override environment variables). */
export interface RunArgs {
  profile: string;
  target?: string;
  hub?: string;
  token?: string;
  runId?: string;
  worker?: string;
  /**
   * Processes the run is split over. With `workerIndex` this process is one of them (arrivals
   * index, index + workers, … of the schedule; worker 0 alone drives faults); without it and
   * workers > 1 this process is the coordinator that starts them all locally.
   */
  workers: number;
  workerIndex: number;
  /** True when --worker-index was given: one worker of a distributed run, not a coordinator. */
  oneWorker: boolean;
  /** Common start instant of a split run's workers, epoch ms (--start-at). */
  startAt?: number;
  /** Debug: write every request's latency (µs) to this file (the coordinator adds .w<i>). */
  rawSamples?: string;
  rateScale: number;
  durationScale: number;
  out?: string;
  adminToken?: string;
  testHooksToken?: string;
  quiet: boolean;
}

export const RUN_USAGE = `Usage: peakwatch run <profile|file.json|file.yaml> [--target URL] [options]

Flags win over environment variables, which win over the running stack's <data dir>/stack.json
(written by \`peakwatch up\`): with \`npm start\` running, \`peakwatch run smoke\` needs no flags.

Options:
  --target URL            the shop to load (default PEAKWATCH_SHOP_URL, else the stack's shop); must be allowlisted
  --hub URL --token T     send windows and run reports to a hub (default PEAKWATCH_HUB_URL, PEAKWATCH_AGENT_TOKEN)
  --run-id ID             run id (default: generated)
  --worker NAME           worker name in the windows (default w<index>)
  --workers auto|N       split the run over N generator processes on this machine (auto: cores - 1,
                          at least 1) under one run id, with one progress line and one report; each
                          sends every N-th arrival of the one schedule, all from a common start instant
  --worker-index I        with --workers N: this process is worker I (0..N-1) of a run split over
                          machines or pods; it sends arrivals I, I+N, I+2N… of the schedule (needs
                          the same --run-id and --start-at on all; only worker 0 applies the fault
                          timeline). A Kubernetes Indexed Job passes $(JOB_COMPLETION_INDEX)
  --start-at T            start instant of a split run (epoch ms or ISO 8601): each worker connects
                          and warms up first, then waits for T, so all start together
  --raw-samples FILE      debug: write every request's step and latency (µs) to FILE, one per line
                          (each local worker to FILE.w<I>); slows the generator
  --rate-scale X          multiply every rate and connection count
  --duration-scale X      multiply every duration and offset
  --out DIR               where summary.json, thresholds.xml, report.html go (default PEAKWATCH_DATA_DIR/runs/ID;
                          with --worker-index, PEAKWATCH_DATA_DIR/runs/ID/<worker>)
  --admin-token T         bearer token for the shop's fault API (default SHOP_ADMIN_TOKEN)
  --test-hooks-token T    token for the shop's capture mailbox, for OTP logins (default SHOP_TEST_HOOKS_TOKEN)
  --quiet                 no progress line

Exit codes (and the run's status in summary.json, the hub and the dashboard):
  0    passed: every threshold held
  1    failed: a threshold failed (or an abort threshold stopped the run early)
  2    usage or configuration error: nothing was sent
  3    degraded: a worker of a split run stopped early (the report names it and the share of the
       schedule it did not send); the other workers' figures are complete
  4    error: the generator failed (an error inside the run, or a crash)
  130  aborted: stopped before its end (Ctrl-C, SIGTERM, or a stop from the hub), after cleaning up`;

/** Parses argv; the error names the flag at fault. */
export function parseRunArgs(argv: string[]): { ok: true; args: RunArgs } | { ok: false; error: string } {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    return { ok: false, error: argsErrorMessage(error) };
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) {
    return {
      ok: false,
      error: positionals.length === 0 ? "missing <profile>" : `unexpected argument "${positionals[1]}"`,
    };
  }
  const scale = (flag: string, raw: string | undefined) => {
    if (raw === undefined) return 1;
    const n = Number(raw);
    if (!(Number.isFinite(n) && n > 0 && n <= 1000))
      throw new Error(`--${flag}: expected a number above 0 and at most 1000, got "${raw}"`);
    return n;
  };
  if (values["run-id"] !== undefined && !/^[A-Za-z0-9_.:-]{1,100}$/.test(values["run-id"])) {
    return { ok: false, error: "--run-id: use 1-100 letters, digits and _ . : -" };
  }
  const whole = (flag: string, raw: string | undefined, fallback: number, min: number, max: number) => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!(Number.isInteger(n) && n >= min && n <= max))
      throw new Error(`--${flag}: expected a whole number from ${min} to ${max}, got "${raw}"`);
    return n;
  };
  let workers: number;
  let workerIndex: number;
  let startAt: number | undefined;
  try {
    workers =
      values.workers === "auto"
        ? autoWorkers(availableParallelism())
        : whole("workers", values.workers, 1, 1, 1000);
    workerIndex = whole("worker-index", values["worker-index"], 0, 0, workers - 1);
    startAt = values["start-at"] === undefined ? undefined : parseInstant(values["start-at"]);
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
  const oneWorker = values["worker-index"] !== undefined;
  if (oneWorker && values.workers === undefined) {
    return { ok: false, error: "--worker-index needs --workers N: how many workers share the run" };
  }
  if (oneWorker && workers > 1 && values["run-id"] === undefined) {
    return {
      ok: false,
      error: "--run-id is required with --worker-index: every worker must report into the same run",
    };
  }
  try {
    return {
      ok: true,
      args: {
        profile: positionals[0]!,
        target: values.target,
        hub: values.hub,
        token: values.token,
        runId: values["run-id"],
        worker: values.worker ?? `w${workerIndex}`,
        workers,
        workerIndex,
        oneWorker,
        startAt,
        rawSamples: values["raw-samples"],
        rateScale: scale("rate-scale", values["rate-scale"]),
        durationScale: scale("duration-scale", values["duration-scale"]),
        out: values.out,
        adminToken: values["admin-token"],
        testHooksToken: values["test-hooks-token"],
        quiet: values.quiet ?? false,
      },
    };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      target: { type: "string" },
      hub: { type: "string" },
      token: { type: "string" },
      "run-id": { type: "string" },
      worker: { type: "string" },
      workers: { type: "string" },
      "worker-index": { type: "string" },
      "start-at": { type: "string" },
      "raw-samples": { type: "string" },
      "rate-scale": { type: "string" },
      "duration-scale": { type: "string" },
      out: { type: "string" },
      "admin-token": { type: "string" },
      "test-hooks-token": { type: "string" },
      quiet: { type: "boolean" },
    },
  });
}

/** `--start-at`: epoch milliseconds or an ISO 8601 instant; throws naming the flag. */
function parseInstant(raw: string): number {
  const ms = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(ms) || ms <= 0 || !/^\d+$|^\d{4}-\d\d-\d\dT/.test(raw))
    throw new Error(`--start-at: expected epoch milliseconds or an ISO 8601 instant, got "${raw}"`);
  return ms;
}

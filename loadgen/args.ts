import { parseArgs } from "node:util";

/** Parsed `peakwatch run` arguments (flags override environment variables). */
export interface RunArgs {
  profile: string;
  target?: string;
  hub?: string;
  token?: string;
  runId?: string;
  worker?: string;
  /** This process's share of the run: 1/workers of every rate; worker 0 alone drives faults. */
  workers: number;
  workerIndex: number;
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
  --workers N             the run is split over N generator processes; this one takes 1/N of every
                          rate (needs --run-id shared by all; only worker 0 applies the fault timeline)
  --worker-index I        which of the N workers this is, 0..N-1 (a Kubernetes Indexed Job passes
                          $(JOB_COMPLETION_INDEX))
  --rate-scale X          multiply every rate and connection count
  --duration-scale X      multiply every duration and offset
  --out DIR               where summary.json, thresholds.xml, report.html go (default PEAKWATCH_DATA_DIR/runs/ID)
  --admin-token T         bearer token for the shop's fault API (default SHOP_ADMIN_TOKEN)
  --test-hooks-token T    token for the shop's capture mailbox, for OTP logins (default SHOP_TEST_HOOKS_TOKEN)
  --quiet                 no progress line

Exit codes: 0 thresholds passed, 1 a threshold failed or the run stopped, 2 usage or configuration error.`;

/** Parses argv; the error names the flag at fault. */
export function parseRunArgs(argv: string[]): { ok: true; args: RunArgs } | { ok: false; error: string } {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    return { ok: false, error: (error as Error).message };
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
      throw new Error(`--${flag}: expected a number > 0, got "${raw}"`);
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
  try {
    workers = whole("workers", values.workers, 1, 1, 1000);
    workerIndex = whole("worker-index", values["worker-index"], 0, 0, workers - 1);
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
  if (workers > 1 && values["run-id"] === undefined) {
    return {
      ok: false,
      error: "--run-id is required with --workers: every worker must report into the same run",
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
      "rate-scale": { type: "string" },
      "duration-scale": { type: "string" },
      out: { type: "string" },
      "admin-token": { type: "string" },
      "test-hooks-token": { type: "string" },
      quiet: { type: "boolean" },
    },
  });
}

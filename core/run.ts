import { z } from "zod";
import { WorkerLossSchema } from "./worker-loss.ts";

/**
 * `degraded`: the run went to its end but a worker of a split run stopped early, so part of the
 * schedule was never sent (see `workerLosses`); its figures are complete for the workers left.
 */
export const runStatuses = [
  "starting",
  "running",
  "passed",
  "failed",
  "aborted",
  "error",
  "degraded",
] as const;
export type RunStatus = (typeof runStatuses)[number];

/**
 * `peakwatch run`'s exit codes, one per way a run ends, so CI can tell a slow shop (1) from a
 * bad command line (2), a partial split run (3) and a generator that broke (4). A crash outside
 * the run (an uncaught error) also exits 4, never 1.
 */
export const runExitCodes = {
  passed: 0,
  /** A threshold failed (or an abort threshold stopped the run early). */
  failed: 1,
  /** Usage or configuration error: nothing was sent. */
  usage: 2,
  /** A worker of a split run stopped early; the report names it and the share not sent. */
  degraded: 3,
  /** The generator failed (an error inside the run, or a crash). */
  error: 4,
  /** Stopped before its end by Ctrl-C, SIGTERM or a stop from the hub, after cleaning up. */
  aborted: 130,
} as const;
export type RunExitCode = (typeof runExitCodes)[keyof typeof runExitCodes];

/** What a generator's exit code says, in words ("code 1: a threshold failed"); unknown codes as the bare code. */
export function exitCodeText(code: number): string {
  const words: Record<number, string> = {
    [runExitCodes.passed]: "passed",
    [runExitCodes.failed]: "a threshold failed",
    [runExitCodes.usage]: "usage error",
    [runExitCodes.degraded]: "degraded",
    [runExitCodes.error]: "error",
    [runExitCodes.aborted]: "stopped",
  };
  return words[code] ? `code ${code}: ${words[code]}` : `code ${code}`;
}

/** The exit code of a run that ended with `status` (a run still in progress counts as an error). */
export function runExitCode(status: RunStatus): RunExitCode {
  return status === "starting" || status === "running" ? runExitCodes.error : runExitCodes[status];
}

/**
 * What `workers: "auto"` (CLI `--workers auto`, the hub's POST /runs) stands for on a machine with
 * `cores` available cores: one generator per core, leaving one for everything else, at least 1.
 */
export function autoWorkers(cores: number): number {
  return Math.max(1, cores - 1);
}

/** The outcome of one threshold, e.g. `p95(checkout) < 800ms`. */
export const ThresholdResultSchema = z.object({
  expression: z.string().min(1).max(200),
  ok: z.boolean(),
  /** The measured value in the expression's unit (ms, ratio), null when there was no data. */
  value: z.number().nullable(),
  abortOnFail: z.boolean().default(false),
});
export type ThresholdResult = z.infer<typeof ThresholdResultSchema>;

/** A fault applied or cleared during a run, shown as a marker on the charts. */
export const FaultMarkerSchema = z.object({
  at: z.number().int().nonnegative(),
  action: z.enum(["set", "clear"]),
  fault: z.string().min(1).max(100),
  detail: z.string().max(500).optional(),
});
export type FaultMarker = z.infer<typeof FaultMarkerSchema>;

/**
 * The abort threshold that stopped a generator before its end: `expression` failed over its
 * sliding window, measuring `value` (in the expression's unit, e.g. "25.3 %"), on `worker`.
 */
export const StoppedBySchema = z.object({
  expression: z.string().min(1).max(200),
  value: z.string().max(100),
  worker: z.string().min(1).max(100).optional(),
});
export type StoppedBy = z.infer<typeof StoppedBySchema>;

/**
 * A load run's state as its generator reports it (POST /api/v1/ingest/runs, agent token).
 * Idempotent: the hub upserts by runId, so a generator may send it as often as it likes.
 */
export const RunReportSchema = z.object({
  runId: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9_.:-]+$/),
  profile: z.string().min(1).max(200),
  target: z.url(),
  status: z.enum(runStatuses),
  /** Unix epoch milliseconds. */
  startedAt: z.number().int().nonnegative(),
  endedAt: z.number().int().nonnegative().optional(),
  /** Planned length of the run in seconds (after scaling). */
  plannedSeconds: z.number().nonnegative().optional(),
  workers: z.number().int().min(1).max(1000).default(1),
  /** Workers that stopped before their share was done; non-empty when status is "degraded". */
  workerLosses: z.array(WorkerLossSchema).max(1000).default([]),
  thresholds: z.array(ThresholdResultSchema).max(100).default([]),
  faults: z.array(FaultMarkerSchema).max(1000).default([]),
  /** A plain-words verdict for managers, e.g. "passed: p95 checkout 412 ms, 0.2 % errors". */
  verdict: z.string().max(2000).optional(),
  /**
   * Set when an abort threshold stopped this generator early. The hub stops the other workers of a
   * run it split, and judges the whole run failed on it.
   */
  stoppedBy: StoppedBySchema.optional(),
});
export type RunReport = z.infer<typeof RunReportSchema>;

import { z } from "zod";
import { RunReportSchema } from "../run.ts";
import { RunVerdictSchema, verdictStates } from "../verdict.ts";

/** A run as the hub's API shows it: what its generator reported plus who started it. */
export const RunViewSchema = RunReportSchema.extend({
  /** Email of the user who started it from the hub; null when a generator reported it on its own. */
  startedBy: z.string().nullable(),
  /** Unix epoch milliseconds of the last report. */
  updatedAt: z.number().int(),
  /**
   * In lists (GET /runs): the verdict's state, thresholds with the alerts that fired during the run
   * ("passed-with-incidents" where `status` says "passed"); absent when not judged.
   */
  verdictState: z.enum(verdictStates).optional(),
});
export type RunView = z.infer<typeof RunViewSchema>;

/** Runs, newest first (GET /runs). */
export const RunListSchema = z.object({ runs: z.array(RunViewSchema) });
export type RunList = z.infer<typeof RunListSchema>;

const LatencySummarySchema = z.object({
  count: z.number().int(),
  min: z.number(),
  mean: z.number(),
  p50: z.number(),
  p90: z.number(),
  p95: z.number(),
  p99: z.number(),
  max: z.number(),
});

/** Failed requests by cause with the last message (core/error-causes.ts). */
export const CauseCountsSchema = z.record(
  z.string(),
  z.object({ count: z.number().int(), message: z.string().optional() }),
);

/** Totals and merged percentiles (ms) of a step over some seconds (core/window.ts WindowSummary). */
export const WindowSummarySchema = z.object({
  count: z.number().int(),
  errors: z.object({
    connect: z.number().int(),
    timeout: z.number().int(),
    http4xx: z.number().int(),
    http5xx: z.number().int(),
    assertion: z.number().int(),
  }),
  causes: CauseCountsSchema,
  /** Failed share of count, 0..1. */
  errorRate: z.number(),
  bytes: z.number(),
  dropped: z.number().int(),
  /** Successful requests' latency, ms. */
  latency: LatencySummarySchema,
  /** Failed requests' latency, ms, kept apart. */
  failedLatency: LatencySummarySchema,
});

/** One run with per-step summaries merged from histograms (GET /runs/:id, /runs/:id/report.json). */
export const RunDetailSchema = z.object({
  run: RunViewSchema,
  steps: z.record(z.string(), WindowSummarySchema),
  /** Every step except the journey, merged. */
  requests: WindowSummarySchema,
});
export type RunDetail = z.infer<typeof RunDetailSchema>;

/** GET /runs/:id/report.json: the detail plus thresholds combined with the alerts that fired during the run. */
export const RunReportJsonSchema = RunDetailSchema.extend({ combinedVerdict: RunVerdictSchema.optional() });

/** `[bucketStartEpochSeconds, value]`, downsampled by merging histograms (GET /runs/:id/series). */
export const SeriesSchema = z.object({
  points: z.array(z.tuple([z.number().int(), z.number()])),
  /** Seconds per point. */
  resolution: z.number().int().positive(),
});
export type Series = z.infer<typeof SeriesSchema>;

/** Two runs side by side with the relative change of each figure per step (GET /runs/compare). */
export const RunCompareSchema = z.object({
  a: RunDetailSchema,
  b: RunDetailSchema,
  diff: z.record(
    z.string(),
    z.record(
      z.string(),
      z.object({ a: z.number().nullable(), b: z.number().nullable(), change: z.number().nullable() }),
    ),
  ),
});
export type RunCompare = z.infer<typeof RunCompareSchema>;

/** Built-in load profiles (GET /profiles). */
export const ProfileListSchema = z.object({
  profiles: z.array(z.object({ name: z.string(), description: z.string() })),
});

/**
 * A run's Kubernetes manifests as the hub rendered and wrote them (placement "kubernetes"): a
 * Secret with the run's agent token and the Indexed Job. Apply them with `apply`.
 */
export const RunManifestSchema = z.object({
  /** Where the hub wrote the file (mode 0600: it holds the token). */
  path: z.string(),
  yaml: z.string(),
  /** The command that starts the pods, e.g. `kubectl apply -f …/job.yaml`. */
  apply: z.string(),
  jobName: z.string(),
});

/**
 * A run the hub just started (POST /runs, 201; with `manifest` for placement "kubernetes") or
 * was asked to stop or abort (POST /runs/:id/stop|abort, 202).
 */
export const RunStartedSchema = z.object({ run: RunViewSchema, manifest: RunManifestSchema.optional() });
export type RunStarted = z.infer<typeof RunStartedSchema>;

/** One worker of a hub-coordinated run (GET /runs/:id/workers). */
export const RunWorkerSchema = z.object({
  /** The worker name its windows carry, `w<index>`. */
  worker: z.string(),
  index: z.number().int(),
  /** `starting`, `running`, `exited` (ended on its own) or `lost` (died, or silent before the run's end). */
  state: z.enum(["starting", "running", "exited", "lost"]),
  /** Host and pid of a local worker process; null for a Kubernetes pod. */
  host: z.string().nullable(),
  pid: z.number().int().nullable(),
  /** Unix epoch milliseconds of its last stored window: its heartbeat. */
  lastSeenAt: z.number().int().nullable(),
  /** Latest second (Unix epoch seconds) its windows covered. */
  lastSecond: z.number().int().nullable(),
  exitCode: z.number().int().nullable(),
  lostReason: z.string().nullable(),
});
export const RunWorkerListSchema = z.object({ workers: z.array(RunWorkerSchema) });
export type RunWorkerView = z.infer<typeof RunWorkerSchema>;

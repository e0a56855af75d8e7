import { z } from "zod";
import { isEncodedHistogram, type LatencySummary, mergeEncoded, summarize } from "./histogram.ts";

/** Error classes counted per window. */
export const errorClasses = ["connect", "timeout", "http4xx", "http5xx", "assertion"] as const;
export type ErrorClass = (typeof errorClasses)[number];

export { JOURNEY_STEP } from "./names.ts";

const name = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_.:-]+$/, "use letters, digits and _ . : - only");
const count = z.number().int().nonnegative();
const encodedHistogram = z
  .string()
  .min(1)
  .max(200_000)
  .refine(isEncodedHistogram, "not a compressed HDR histogram");

/**
 * One second of one step measured by one worker. The key (runId, step, worker, second) makes
 * ingest idempotent: storing the same window twice replaces it, never adds to it.
 */
export const WindowSchema = z.object({
  runId: name,
  step: name,
  worker: name,
  /** Start of the second, Unix epoch seconds. */
  second: z.number().int().nonnegative(),
  count,
  errors: z.object({ connect: count, timeout: count, http4xx: count, http5xx: count, assertion: count }),
  bytes: count,
  targetRate: z.number().nonnegative(),
  achievedRate: z.number().nonnegative(),
  dropped: count,
  /** Latency from each request's intended start (coordinated omission corrected), µs, compressed base64. */
  latency: encodedHistogram,
  /** Service time from the actual send, µs, compressed base64. */
  service: encodedHistogram.optional(),
});
export type Window = z.infer<typeof WindowSchema>;

/** The body of POST /api/v1/ingest/windows. */
export const WindowBatchSchema = z.object({ windows: z.array(WindowSchema).min(1).max(5000) });
export type WindowBatch = z.infer<typeof WindowBatchSchema>;

/** The idempotency key of a window. */
export function windowKey(w: Pick<Window, "runId" | "step" | "worker" | "second">): string {
  return `${w.runId}|${w.step}|${w.worker}|${w.second}`;
}

export function errorTotal(w: Pick<Window, "errors">): number {
  return errorClasses.reduce((sum, c) => sum + w.errors[c], 0);
}

/** Totals and merged percentiles over any set of windows (across workers, seconds or both). */
export interface WindowSummary {
  count: number;
  errors: Record<ErrorClass, number>;
  errorRate: number;
  bytes: number;
  dropped: number;
  latency: LatencySummary;
}

/** Sums counts and merges histograms; never averages percentiles. */
export function summarizeWindows(windows: ReadonlyArray<Window>): WindowSummary {
  const errors = { connect: 0, timeout: 0, http4xx: 0, http5xx: 0, assertion: 0 };
  let total = 0;
  let bytes = 0;
  let dropped = 0;
  for (const w of windows) {
    total += w.count;
    bytes += w.bytes;
    dropped += w.dropped;
    for (const c of errorClasses) errors[c] += w.errors[c];
  }
  const errorCount = errorClasses.reduce((s, c) => s + errors[c], 0);
  return {
    count: total,
    errors,
    errorRate: total === 0 ? 0 : errorCount / total,
    bytes,
    dropped,
    latency: summarize(mergeEncoded(windows.map((w) => w.latency))),
  };
}

import { z } from "zod";
import {
  CAUSE_PATTERN,
  type CauseCounts,
  type ErrorClass,
  errorClasses,
  legacyCauses,
  MAX_CAUSES_PER_WINDOW,
  MAX_MESSAGE,
  mergeCauses,
} from "./error-causes.ts";
import {
  encodedTotal,
  isEncodedHistogram,
  type LatencySummary,
  mergeEncoded,
  summarize,
} from "./histogram.ts";

export { type ErrorClass, errorClasses };

import { JOURNEY_STEP } from "./names.ts";

export { JOURNEY_STEP };

const name = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_.:-]+$/, "use letters, digits and _ . : - only");
/** Counts go to 32-bit integer columns: a larger one would fail the insert (a 500, not a 400). */
export const INT4_MAX = 2 ** 31 - 1;
const count = z.number().int().nonnegative().max(INT4_MAX, `at most ${INT4_MAX} (a 32-bit count)`);
const encodedHistogram = z
  .string()
  .min(1)
  .max(200_000)
  .refine(isEncodedHistogram, "not an HDR V2 histogram (base64, compressed or not)");
/** Failed requests per cause (core/error-causes.ts), each with the last message seen. */
const causes = z
  .record(
    z.string().regex(CAUSE_PATTERN, "not an error cause (see core/error-causes.ts)"),
    z.object({ count, message: z.string().max(MAX_MESSAGE).optional() }),
  )
  .refine((r) => Object.keys(r).length <= MAX_CAUSES_PER_WINDOW, `at most ${MAX_CAUSES_PER_WINDOW} causes`);

/**
 * One second of one step measured by one worker. The key (runId, step, worker, second) makes
 * ingest idempotent: storing the same window twice replaces it, never adds to it.
 */
export const WindowSchema = z
  .object({
    runId: name,
    step: name,
    worker: name,
    /** Start of the second, Unix epoch seconds. */
    second: z.number().int().nonnegative(),
    count,
    errors: z.object({ connect: count, timeout: count, http4xx: count, http5xx: count, assertion: count }),
    bytes: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    targetRate: z.number().nonnegative(),
    achievedRate: z.number().nonnegative(),
    dropped: count,
    /** Latency from each request's intended start (coordinated omission corrected), µs, base64 HDR V2 (core/histogram.ts encodeHistogramForWire). */
    latency: encodedHistogram,
    /** Service time from the actual send, µs, base64 HDR V2 (core/histogram.ts encodeHistogramForWire). */
    service: encodedHistogram.optional(),
    /**
     * Failed requests by cause, dropped arrivals under `dropped`. Windows written before causes
     * existed lack it: read them through causesOf(). When present, `latency` holds successful
     * requests only and `failedLatency` the failed ones, so a fast refusal never looks healthy.
     */
    causes: causes.optional(),
    /** Latency of failed requests from their intended start, µs, base64 HDR V2 (core/histogram.ts encodeHistogramForWire). */
    failedLatency: encodedHistogram.optional(),
  })
  .superRefine(countsAgree);
export type Window = z.infer<typeof WindowSchema>;

/**
 * A request step's histograms hold exactly its requests: successful plus failed latencies add up
 * to `count`, and no more requests have a service time or an error class than were counted. The
 * journey step is exempt: it counts arrivals by their start and records journeys by their end.
 */
function countsAgree(
  w: { step: string; count: number; errors: Record<ErrorClass, number>; latency: string } & {
    service?: string | undefined;
    failedLatency?: string | undefined;
  },
  ctx: z.RefinementCtx,
): void {
  if (w.step === JOURNEY_STEP) return;
  const latency = encodedTotal(w.latency) ?? 0;
  const failed = w.failedLatency === undefined ? 0 : (encodedTotal(w.failedLatency) ?? 0);
  if (latency + failed !== w.count) {
    ctx.addIssue({
      code: "custom",
      path: ["latency"],
      message: `holds ${latency + failed} requests${w.failedLatency ? " with failedLatency" : ""} but count is ${w.count}`,
    });
  }
  const service = w.service === undefined ? 0 : (encodedTotal(w.service) ?? 0);
  if (service > w.count)
    ctx.addIssue({
      code: "custom",
      path: ["service"],
      message: `holds ${service} requests but count is ${w.count}`,
    });
  const errors = errorClasses.reduce((sum, c) => sum + w.errors[c], 0);
  if (errors > w.count)
    ctx.addIssue({ code: "custom", path: ["errors"], message: `${errors} errors but count is ${w.count}` });
}

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

/**
 * A window's causes; for an old window, its classes (and dropped arrivals) without detail. A
 * journey window's failures are its steps' failures, so only its dropped arrivals count here.
 */
export function causesOf(
  w: Pick<Window, "errors" | "dropped" | "causes"> & { step?: string | undefined },
): CauseCounts {
  if (w.causes) return w.causes;
  if (w.step === JOURNEY_STEP)
    return legacyCauses({ connect: 0, timeout: 0, http4xx: 0, http5xx: 0, assertion: 0 }, w.dropped);
  return legacyCauses(w.errors, w.dropped);
}

/** Totals and merged percentiles over any set of windows (across workers, seconds or both). */
export interface WindowSummary {
  count: number;
  errors: Record<ErrorClass, number>;
  /** Failed requests by cause (dropped arrivals under `dropped`), merged by addition. */
  causes: CauseCounts;
  errorRate: number;
  bytes: number;
  dropped: number;
  /** Successful requests (all requests in windows written before causes existed). */
  latency: LatencySummary;
  /** Failed requests' latency, kept apart. */
  failedLatency: LatencySummary;
}

/** Sums counts and merges histograms; never averages percentiles. */
export function summarizeWindows(windows: ReadonlyArray<Window>): WindowSummary {
  const errors = { connect: 0, timeout: 0, http4xx: 0, http5xx: 0, assertion: 0 };
  const causes: CauseCounts = {};
  let total = 0;
  let bytes = 0;
  let dropped = 0;
  for (const w of windows) {
    total += w.count;
    bytes += w.bytes;
    dropped += w.dropped;
    for (const c of errorClasses) errors[c] += w.errors[c];
    mergeCauses(causes, causesOf(w));
  }
  const errorCount = errorClasses.reduce((s, c) => s + errors[c], 0);
  return {
    count: total,
    errors,
    errorRate: total === 0 ? 0 : errorCount / total,
    bytes,
    dropped,
    causes,
    latency: summarize(mergeEncoded(windows.map((w) => w.latency))),
    failedLatency: summarize(
      mergeEncoded(windows.flatMap((w) => (w.failedLatency ? [w.failedLatency] : []))),
    ),
  };
}

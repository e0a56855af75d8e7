/**
 * What a profile derived from access logs records about its source (`peakwatch profile
 * from-log`): the peak, the journey mix, think times, shares, and what could not be mapped.
 * Only aggregates: no address, path parameter, query string or user agent of the log.
 */
import { z } from "zod";

const share = z.number().min(0).max(1);
const count = z.number().int().nonnegative();

/** Think time between a session's steps, seconds. */
export const ThinkTimeDistributionSchema = z.strictObject({
  count,
  mean: z.number().nonnegative(),
  p10: z.number().nonnegative(),
  p25: z.number().nonnegative(),
  p50: z.number().nonnegative(),
  p75: z.number().nonnegative(),
  p90: z.number().nonnegative(),
});

export const DerivedFromSchema = z.strictObject({
  kind: z.literal("access-log"),
  /** Log files read. */
  files: count,
  /** ISO times of the first and last request read. */
  firstRequest: z.string(),
  lastRequest: z.string(),
  lines: count,
  unparsedLines: count,
  requests: count,
  /** Assets, health checks and other requests that are not a shopper's action. */
  ignoredRequests: count,
  sessions: count,
  /** Sessions with no known step (scanners, bots): left out of the curve and the mix. */
  sessionsWithoutSteps: count,
  unknownRoutes: z.strictObject({
    requests: count,
    /** Most frequent shapes, path segments that are not plain words redacted to `:x`. */
    top: z.array(z.strictObject({ route: z.string(), requests: count })).max(50),
  }),
  /** Curve resolution in log seconds, and the moving-average width in buckets. */
  bucketSeconds: z.number().positive(),
  smoothingBuckets: z.number().int().positive(),
  /** Rate multiplier and time compression applied to the stages. */
  scale: z.number().positive(),
  compress: z.number().positive(),
  peak: z.strictObject({
    /** Sessions (journeys) per second at the peak, after scaling. */
    rate: z.number().nonnegative(),
    /** ISO time of the peak in the log. */
    at: z.string(),
    /** Seconds from the profile's start to the peak (after compression). */
    profileSeconds: z.number().nonnegative(),
  }),
  journeyShares: z.record(z.string(), share),
  loggedInShare: share,
  checkoutShare: share,
  thinkTime: z.record(z.string(), ThinkTimeDistributionSchema),
});
export type DerivedFrom = z.infer<typeof DerivedFromSchema>;

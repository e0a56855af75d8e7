/**
 * Capacity measurements as `peakwatch capacity` reports them to the hub, and the readiness view
 * the dashboard reads (GET /api/v1/readiness): the latest verdict per target and its history.
 */
import { z } from "zod";

const rate = z.number().nonnegative().max(10_000_000);
const runId = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_.:-]+$/);
const text = z.string().max(500);

export const SaturationSignalSchema = z.strictObject({
  name: z.string().min(1).max(100),
  value: z.number(),
  unit: z.string().max(30),
});

export const CapacityStepSchema = z.strictObject({
  runId,
  /** Target arrival rate of the step, journeys/s. */
  rate,
  purpose: z.enum(["ramp", "refine", "confirm"]),
  ok: z.boolean(),
  journeysPerSecond: rate,
  requestsPerSecond: rate,
  /** Broken SLOs, earliest first. */
  broken: z
    .array(
      z.strictObject({
        expression: text,
        step: z.string().max(100).nullable(),
        value: text,
        atSecond: z.number(),
      }),
    )
    .max(20),
});
export type CapacityStep = z.infer<typeof CapacityStepSchema>;

export const CapacityMeasurementSchema = z.strictObject({
  /** What was measured, the key its history is kept under (default: the shop's host:port). */
  target: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9_.:@/-]+$/, "use letters, digits and _ . : @ / - only"),
  /** The shop's URL. */
  url: z.url(),
  /** ISO time the measurement ended. */
  measuredAt: z.iso.datetime(),
  slos: z.array(text).min(1).max(20),
  /** The journey mix the steps ran (a profile name or file). */
  profile: text,
  capacityJourneys: rate,
  capacityRequests: rate,
  confirmed: z.boolean(),
  knee: z.strictObject({ rate, slo: text, step: z.string().max(100).nullable(), value: text }).nullable(),
  /** Planned peak in journeys/s and where it came from (a profile derived from logs, or a number). */
  plannedPeak: rate.positive().nullable(),
  plannedFrom: text.nullable(),
  /** The shop's signals scraped during the knee step (or the last step). */
  saturation: z.array(SaturationSignalSchema).max(50),
  steps: z.array(CapacityStepSchema).min(1).max(50),
});
export type CapacityMeasurement = z.infer<typeof CapacityMeasurementSchema>;

export const ReadinessEntrySchema = CapacityMeasurementSchema.extend({
  id: z.string(),
  ready: z.boolean().nullable(),
  headroom: z.number().nullable(),
  verdict: z.string(),
});
export type ReadinessEntry = z.infer<typeof ReadinessEntrySchema>;

/** GET /api/v1/readiness: per target, the latest measurement first, then older ones. */
export const ReadinessViewSchema = z.object({
  targets: z.array(
    z.object({ target: z.string(), latest: ReadinessEntrySchema, history: z.array(ReadinessEntrySchema) }),
  ),
});
export type ReadinessView = z.infer<typeof ReadinessViewSchema>;

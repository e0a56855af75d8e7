import { z } from "zod";
import { runStatuses } from "../run.ts";
import { RunVerdictSchema } from "../verdict.ts";

/** Incidents (alerts that fired) in a window and the mean time from firing to resolved. */
export const IncidentWindowSchema = z.object({
  count: z.number().int(),
  resolved: z.number().int(),
  /** Incidents of the window that have not resolved yet. */
  open: z.number().int().default(0),
  meanSecondsToResolve: z.number().nullable(),
});
export type IncidentWindow = z.infer<typeof IncidentWindowSchema>;

/** One burn-rate objective now: "breached" while its alert fires, "no data" without a live run. */
export const SloStatusSchema = z.object({
  name: z.string(),
  /** The success ratio aimed for, 0..1. */
  objective: z.number().nullable(),
  /** The success ratio implied by the worst current burn rate, 0..1; null without data. */
  current: z.number().nullable(),
  status: z.enum(["met", "breached", "no data"]),
  ok: z.boolean(),
});

/** The manager summary (GET /summary): is it fine now, how often did it break, how fast was it fixed. */
export const SummarySchema = z.object({
  firing: z.number().int(),
  firingAlerts: z.array(
    z.object({
      rule: z.string(),
      severity: z.string(),
      fingerprint: z.string(),
      firedAt: z.number().nullable(),
      ageSeconds: z.number().nullable(),
      summary: z.string(),
      acknowledgedBy: z.string().nullable(),
    }),
  ),
  pending: z.number().int(),
  acknowledged: z.number().int(),
  slos: z.array(SloStatusSchema),
  incidents: z.object({ last24h: IncidentWindowSchema, last7d: IncidentWindowSchema }),
  profiles: z.array(z.string()),
  latestRunChoice: z.union([z.object({ profile: z.string() }), z.object({ rule: z.string() })]),
  latestRun: z
    .object({
      runId: z.string(),
      profile: z.string(),
      status: z.enum(runStatuses).or(z.string()),
      startedAt: z.number(),
      endedAt: z.number().nullable(),
      verdict: z.string().nullable(),
      combined: RunVerdictSchema,
    })
    .nullable(),
});
export type Summary = z.infer<typeof SummarySchema>;

import { z } from "zod";

export const probeKinds = ["http", "tcp", "flow"] as const;
export type ProbeKindName = (typeof probeKinds)[number];

export const probeStates = ["up", "down", "unknown"] as const;
export type ProbeState = (typeof probeStates)[number];

const ms = z.number().nonnegative();

/** Per-phase timings in milliseconds, like blackbox_exporter's probe_http_duration_seconds. */
export const PhasesSchema = z.object({
  dns: ms,
  connect: ms,
  tls: ms,
  firstByte: ms,
  transfer: ms,
  total: ms,
});
export type Phases = z.infer<typeof PhasesSchema>;

/** One step of a multi-step (flow) probe. */
export const ProbeStepResultSchema = z.object({
  name: z.string().min(1).max(100),
  ok: z.boolean(),
  status: z.number().int().min(0).max(999).optional(),
  durationMs: ms,
  message: z.string().max(2000).optional(),
});

/**
 * One check of one probe. `id` is unique per check, so a replayed batch stores nothing twice.
 * `state` is the probe's state after this check, with failure/success thresholds applied.
 */
export const ProbeResultSchema = z.object({
  id: z.uuid(),
  probe: z.string().min(1).max(100),
  kind: z.enum(probeKinds),
  region: z.string().min(1).max(64),
  target: z.string().min(1).max(2000),
  /** Start of the check, Unix epoch milliseconds. */
  startedAt: z.number().int().nonnegative(),
  ok: z.boolean(),
  state: z.enum(probeStates),
  status: z.number().int().min(0).max(999).optional(),
  /** Why the check failed: the first failing assertion, or the transport error. */
  message: z.string().max(2000).optional(),
  phases: PhasesSchema,
  steps: z.array(ProbeStepResultSchema).max(50).optional(),
});
export type ProbeResult = z.infer<typeof ProbeResultSchema>;

/** The body of POST /api/v1/ingest/probe-results. */
export const ProbeResultBatchSchema = z.object({ results: z.array(ProbeResultSchema).min(1).max(1000) });
export type ProbeResultBatch = z.infer<typeof ProbeResultBatchSchema>;

import { z } from "zod";

/** How a run is asked to end from the hub: `stop` cleans up and flushes, `abort` ends it now. */
export const stopModes = ["stop", "abort"] as const;
export type StopMode = (typeof stopModes)[number];

/**
 * The answer to POST /api/v1/ingest/windows: how many windows were stored and, for each run of
 * the batch that was asked to stop from the hub, how. A generator the hub cannot signal (a
 * Kubernetes pod) stops on it as a local one does on SIGTERM.
 */
export const IngestAnswerSchema = z.object({
  stored: z.number().int().nonnegative(),
  stop: z.record(z.string(), z.enum(stopModes)).optional(),
});
export type IngestAnswer = z.infer<typeof IngestAnswerSchema>;

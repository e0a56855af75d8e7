import { z } from "zod";

/**
 * What the hub tells the dashboard about its own configuration, so the UI's defaults follow
 * the stack that really runs (never a hard-coded port).
 */
export const HubConfigViewSchema = z.object({
  /** The shop this hub scrapes and drives faults on: the default target of a run. */
  shopUrl: z.url(),
  /** Hosts a run may target besides loopback and the shop (PEAKWATCH_ALLOWED_TARGETS). */
  allowedTargets: z.array(z.string()),
  /** Where notifications link to (PEAKWATCH_EXTERNAL_URL, default the hub's listen URL). */
  externalUrl: z.url(),
});
export type HubConfigView = z.infer<typeof HubConfigViewSchema>;

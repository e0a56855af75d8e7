import { z } from "zod";
import { ChannelUrlSchema } from "../channel.ts";

/** POST /api/v1/scrape/targets: a Prometheus /metrics URL for the hub to scrape into the project. */
export const ScrapeTargetInputSchema = z.strictObject({ url: ChannelUrlSchema });
export type ScrapeTargetInput = z.infer<typeof ScrapeTargetInputSchema>;

/** A scrape target as GET /api/v1/scrape/targets lists it; `id` is null for one set by HUB_SCRAPE_TARGETS. */
export const ScrapeTargetSchema = z.object({
  id: z.uuid().nullable(),
  url: z.string(),
  up: z.boolean(),
  lastScrapeAt: z.number().nullable(),
  lastError: z.string().nullable(),
  values: z.record(z.string(), z.number()),
});
export type ScrapeTargetView = z.infer<typeof ScrapeTargetSchema>;

import { z } from "zod";
import { RunReportSchema } from "../run.ts";

/** A run as the hub's API shows it: what its generator reported plus who started it. */
export const RunViewSchema = RunReportSchema.extend({
  /** Email of the user who started it from the hub; null when a generator reported it on its own. */
  startedBy: z.string().nullable(),
  /** Unix epoch milliseconds of the last report. */
  updatedAt: z.number().int(),
});
export type RunView = z.infer<typeof RunViewSchema>;

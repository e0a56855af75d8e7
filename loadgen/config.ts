import { z } from "zod";
import { commonSettings, optionalString, parseEnv } from "../core/config.ts";

/** The generator's environment; flags override the matching variables. */
export const loadgenSettings = z.object({
  PEAKWATCH_DATA_DIR: commonSettings.PEAKWATCH_DATA_DIR,
  /** The configured shop: its host is allowlisted, and it is the default --target. */
  PEAKWATCH_SHOP_URL: optionalString.pipe(z.url().optional()),
  /** More hosts load may be sent to (comma-separated host or host:port). */
  PEAKWATCH_ALLOWED_TARGETS: optionalString,
  PEAKWATCH_HUB_URL: optionalString.pipe(z.url().optional()),
  PEAKWATCH_AGENT_TOKEN: optionalString,
  SHOP_ADMIN_TOKEN: optionalString,
  SHOP_TEST_HOOKS_TOKEN: optionalString,
  /** How many seeded customers the shop has (journeys log in as customer1..N@shop.test). */
  SHOP_SEED_CUSTOMERS: z.coerce.number().int().min(1).max(10_000_000).default(2000),
  /** Upper bound of the on-disk spool of windows waiting for the hub, in MiB. */
  PEAKWATCH_SPOOL_MAX_MB: z.coerce.number().positive().max(100_000).default(256),
});
export type LoadgenConfig = z.infer<typeof loadgenSettings>;

/** Parses the environment once; throws ConfigError naming the bad variable. */
export function loadLoadgenConfig(env: Record<string, string | undefined> = process.env): LoadgenConfig {
  return parseEnv(loadgenSettings, env);
}

import { z } from "zod";
import { commonSettings, optionalString, parseEnv, portSetting } from "../core/config.ts";

const schema = z.object({
  ...commonSettings,
  PEAKWATCH_HUB_PORT: portSetting(4000),
  HUB_DATABASE_URL: optionalString,
  /** The shop the hub scrapes and whose fault API it drives. */
  PEAKWATCH_SHOP_URL: z.url().default("http://127.0.0.1:4100"),
  SHOP_ADMIN_TOKEN: optionalString,
  /** An agent token the hub accepts from its own loadgen and probes (set by `peakwatch up`). */
  PEAKWATCH_AGENT_TOKEN: optionalString,
  /** The first admin, created at start-up when the hub has no users. */
  PEAKWATCH_ADMIN_EMAIL: z.email().default("admin@peakwatch.local"),
});

export type HubConfig = z.infer<typeof schema> & { databaseUrl: string | undefined };

/** Parses the hub's environment once; throws ConfigError naming the variable. */
export function loadHubConfig(env: Record<string, string | undefined> = process.env): HubConfig {
  const config = parseEnv(schema, env);
  return { ...config, databaseUrl: config.HUB_DATABASE_URL ?? config.DATABASE_URL };
}

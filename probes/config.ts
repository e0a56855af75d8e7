import { z } from "zod";
import { commonSettings, optionalString, parseEnv, portSetting } from "../core/config.ts";

const schema = z.object({
  ...commonSettings,
  /** Port of the probes process's own /metrics and /healthz. */
  PEAKWATCH_PROBES_PORT: portSetting(4200),
  PEAKWATCH_HUB_URL: z.url().default("http://127.0.0.1:4000"),
  PEAKWATCH_SHOP_URL: z.url().default("http://127.0.0.1:4100"),
  PEAKWATCH_AGENT_TOKEN: optionalString,
  SHOP_TEST_HOOKS_TOKEN: optionalString,
  /** A probe file (YAML or JSON); without it the default probes of the reference shop run. */
  PEAKWATCH_PROBES_FILE: optionalString,
  PEAKWATCH_REGION: z.string().min(1).default("local"),
  /** Checks running at once across all probes. */
  PEAKWATCH_PROBES_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(16),
  /** Results kept while the hub is unreachable; beyond it the oldest are dropped (and counted). */
  PEAKWATCH_PROBES_BUFFER: z.coerce.number().int().min(10).max(1_000_000).default(10_000),
  /** How often to ask the hub for probe definitions (GET /api/v1/probes/config); 0 turns it off. */
  PEAKWATCH_PROBES_HUB_CONFIG_SECONDS: z.coerce.number().int().min(0).max(86_400).default(60),
  /** The shop seeds customer1..N@shop.test; the login flow picks one of them. */
  SHOP_SEED_CUSTOMERS: z.coerce.number().int().min(1).default(2000),
});

export type ProbesConfig = z.infer<typeof schema>;

/** Parses the probes process's environment once; throws ConfigError naming the variable. */
export function loadProbesConfig(env: Record<string, string | undefined> = process.env): ProbesConfig {
  return parseEnv(schema, env);
}

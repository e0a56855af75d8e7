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
});

export type ProbesConfig = z.infer<typeof schema>;

/** Parses the probes process's environment once; throws ConfigError naming the variable. */
export function loadProbesConfig(env: Record<string, string | undefined> = process.env): ProbesConfig {
  return parseEnv(schema, env);
}

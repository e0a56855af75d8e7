import { z } from "zod";
import { commonSettings, optionalString, parseEnv, portSetting } from "../core/config.ts";

const schema = z.object({
  ...commonSettings,
  PEAKWATCH_SHOP_PORT: portSetting(4100),
  SHOP_DATABASE_URL: optionalString,
  /** Bearer token for /admin/* (fault switches). Without it the admin API is closed. */
  SHOP_ADMIN_TOKEN: optionalString,
  /** When set, /__test/* hooks (the capture mailbox) exist and require this token. */
  SHOP_TEST_HOOKS_TOKEN: optionalString,
});

export type ShopConfig = z.infer<typeof schema> & { databaseUrl: string | undefined };

/** Parses the shop's environment once; throws ConfigError naming the variable. */
export function loadShopConfig(env: Record<string, string | undefined> = process.env): ShopConfig {
  const config = parseEnv(schema, env);
  return { ...config, databaseUrl: config.SHOP_DATABASE_URL ?? config.DATABASE_URL };
}

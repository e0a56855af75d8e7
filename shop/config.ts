import { z } from "zod";
import { commonSettings, optionalString, parseEnv, portSetting } from "../core/config.ts";

const count = (fallback: number) => z.coerce.number().int().min(0).max(1_000_000).default(fallback);
const positive = (fallback: number) => z.coerce.number().int().min(1).max(100_000_000).default(fallback);
const flag = z
  .enum(["0", "1", "true", "false", ""])
  .default("0")
  .transform((v) => v === "1" || v === "true");

const schema = z.object({
  ...commonSettings,
  PEAKWATCH_SHOP_PORT: portSetting(4100),
  SHOP_DATABASE_URL: optionalString,
  /** Bearer token for /admin/* (fault switches). Without it the admin API is closed. */
  SHOP_ADMIN_TOKEN: optionalString,
  /** When set, /__test/* hooks (the capture mailbox) exist and require this token. */
  SHOP_TEST_HOOKS_TOKEN: optionalString,
  /**
   * Take the client address from the left-most X-Forwarded-For (rate limits key on it). Only
   * behind a proxy that overwrites the header: otherwise every client picks its own address.
   */
  SHOP_TRUST_PROXY: flag,
  /** 32 bytes, base64: wraps the key-encryption keys. Generated into the data directory when unset. */
  PEAKWATCH_MASTER_KEY: optionalString,
  /** Products and customers seeded into an empty database. */
  SHOP_SEED_PRODUCTS: count(1200),
  SHOP_SEED_CUSTOMERS: count(2000),
  /** Real SMTP (smtp://user:pass@host:port); without it mail goes to the capture mailbox table. */
  SMTP_URL: optionalString,
  SHOP_MAIL_FROM: z.string().min(3).default("Peakwatch Shop <shop@peakwatch.local>"),
  SHOP_OTP_TTL_SECONDS: positive(600),
  SHOP_SESSION_IDLE_MINUTES: positive(30),
  SHOP_SESSION_ABSOLUTE_HOURS: positive(12),
  /** Per client address per minute. */
  SHOP_RATE_OTP_REQUEST_PER_ADDRESS: positive(10),
  SHOP_RATE_OTP_VERIFY_PER_ADDRESS: positive(30),
  /** Codes one account may be sent to one client address per 10 minutes, so an inbox cannot be flooded. */
  SHOP_RATE_OTP_REQUEST_PER_ACCOUNT: positive(5),
  /**
   * Failed verifications of one account from one address within the lockout window before that
   * address is locked out of that account (never the account for everyone).
   */
  SHOP_LOCKOUT_FAILURES: positive(10),
  SHOP_LOCKOUT_MINUTES: positive(15),
  /** How long a checkout waits for the payment provider. */
  SHOP_PAYMENT_TIMEOUT_MS: positive(5000),
  /** How long a catalog read (product, listing, search, recommendations) is served from memory; 0 turns the cache off. */
  SHOP_CATALOG_CACHE_SECONDS: count(30),
  /** Catalog cache entries kept at most (least recently used go first). */
  SHOP_CATALOG_CACHE_ENTRIES: positive(10_000),
  /**
   * How often a warehouse delivery restocks products that run low (seconds; 0: never), so repeated
   * load runs do not sell the catalog out: products under SHOP_RESTOCK_BELOW units go back to
   * SHOP_RESTOCK_TO.
   */
  SHOP_RESTOCK_SECONDS: count(60),
  SHOP_RESTOCK_BELOW: positive(50),
  SHOP_RESTOCK_TO: positive(250),
  /** Embedded database (PGlite) in a worker thread, so its statements do not stall requests. */
  SHOP_PGLITE_THREAD: z
    .enum(["0", "1", "true", "false", ""])
    .default("1")
    .transform((v) => v !== "0" && v !== "false"),
  /** Largest accepted request body. */
  SHOP_BODY_LIMIT_BYTES: positive(64 * 1024),
});

export type ShopConfig = z.infer<typeof schema> & { databaseUrl: string | undefined };

/** Parses the shop's environment once; throws ConfigError naming the variable. */
export function loadShopConfig(env: Record<string, string | undefined> = process.env): ShopConfig {
  const config = parseEnv(schema, env);
  return { ...config, databaseUrl: config.SHOP_DATABASE_URL ?? config.DATABASE_URL };
}

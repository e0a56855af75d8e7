import { z } from "zod";
import { commonSettings, optionalString, parseEnv, portSetting } from "../core/config.ts";

const seconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const csv = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((s) =>
      s
        .split(",")
        .map((part) => part.trim())
        .filter((part) => part !== ""),
    );

const schema = z.object({
  ...commonSettings,
  PEAKWATCH_HUB_PORT: portSetting(4000),
  HUB_DATABASE_URL: optionalString,
  /** The shop the hub scrapes and whose fault API it drives. */
  PEAKWATCH_SHOP_URL: z.url().default("http://127.0.0.1:4100"),
  SHOP_ADMIN_TOKEN: optionalString,
  /** The shop's capture-mailbox token; the hub hands it only to runs that target that shop. */
  SHOP_TEST_HOOKS_TOKEN: optionalString,
  /** An agent token the hub accepts from its own loadgen and probes (set by `peakwatch up`). */
  PEAKWATCH_AGENT_TOKEN: optionalString,
  /** The first admin, created at start-up when the hub has no users. */
  PEAKWATCH_ADMIN_EMAIL: z.email().default("admin@peakwatch.local"),
  /** Largest accepted request body on the ingest routes, in bytes. */
  HUB_INGEST_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(16 * 1024 * 1024),
  /**
   * Windows waiting for the database at most; past it ingest answers 429 with Retry-After and
   * agents keep their windows and back off (server/ingest/window-writer.ts).
   */
  HUB_INGEST_MAX_QUEUED_WINDOWS: z.coerce.number().int().positive().max(1_000_000).default(50_000),
  /** Largest accepted request body on every other route, in bytes (checked while the body streams in). */
  HUB_BODY_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  /**
   * Browser origins besides the hub's own (comma list, e.g. `https://dash.example.com`) that may
   * open the live WebSocket and send cookie-authenticated writes.
   */
  HUB_ALLOWED_ORIGINS: csv(""),
  /**
   * Login codes one client address may request (in all, and for one account), and wrong codes
   * it may try, per 10 minutes. Never per account alone: that would let anyone lock out its owner.
   */
  HUB_LOGIN_CODES_PER_ADDRESS: seconds(30),
  HUB_LOGIN_CODES_PER_ACCOUNT: seconds(5),
  HUB_LOGIN_FAILURES_PER_ADDRESS: seconds(30),
  /** Per-second windows older than this roll up into per-minute rows and are deleted. */
  HUB_RAW_RETENTION_HOURS: seconds(48),
  /** Per-minute roll-ups, probe results, scraped samples and alert events older than this are deleted. */
  HUB_RETENTION_DAYS: seconds(90),
  /** Minutes between retention passes (roll-up and deletion); 0 turns retention off. */
  HUB_RETENTION_INTERVAL_MINUTES: z.coerce.number().int().nonnegative().default(10),
  /** Most WebSocket clients at once; more are refused with 503. */
  HUB_LIVE_MAX_CLIENTS: seconds(2000),
  /** A live client whose unsent buffer passes this many bytes is cut off. */
  HUB_LIVE_MAX_BUFFER_BYTES: seconds(4 * 1024 * 1024),
  /** Most time one event-loop turn spends on live sends (LIVE_SLICE_MS); 0: one send per turn. */
  HUB_LIVE_SLICE_MS: z.coerce.number().int().min(0).max(1000).default(10),
  /** Seconds between pings; a client that misses one pong is dropped. */
  HUB_LIVE_HEARTBEAT_SECONDS: seconds(30),
  /** SMTP server for login codes; without it codes are printed on the console (embedded mode). */
  SMTP_URL: optionalString,
  /** Sender address of the hub's login mails. */
  HUB_MAIL_FROM: z.string().default("Peakwatch <peakwatch@localhost>"),
  /** Hosts a load run may target, besides loopback and the configured shop (same as loadgen's). */
  PEAKWATCH_ALLOWED_TARGETS: csv(""),
  /** The command that runs a load generator; the hub appends `run <profile> --target … --run-id …`. */
  HUB_RUN_COMMAND: csv(""),
  /**
   * The hub URL the generators it starts report to; default this replica's own. Behind a load
   * balancer set it to the balancer's URL, so a run goes on when the replica that started it dies.
   */
  HUB_WORKER_HUB_URL: z.url().optional(),
  /** A worker of a split run that sends no window for this many seconds before the run's end is lost. */
  HUB_WORKER_TIMEOUT_SECONDS: seconds(10),
  /** Seconds from starting a split run to its workers' common start (`--start-at`), for local processes. */
  HUB_RUN_START_DELAY_SECONDS: z.coerce.number().nonnegative().max(3600).default(3),
  /** The same for a rendered Kubernetes Job: time to pull the image and schedule every pod. */
  HUB_KUBERNETES_START_DELAY_SECONDS: z.coerce.number().nonnegative().max(86_400).default(120),
  /** Shop /metrics URLs the hub scrapes (comma-separated); default the configured shop's. */
  HUB_SCRAPE_TARGETS: optionalString,
  /** Seconds between scrapes; 0 turns scraping off. */
  HUB_SCRAPE_INTERVAL_SECONDS: z.coerce.number().int().nonnegative().default(5),
  /** Session lifetimes: idle and absolute, in minutes. */
  HUB_SESSION_IDLE_MINUTES: seconds(12 * 60),
  HUB_SESSION_MAX_MINUTES: seconds(7 * 24 * 60),
  /** Set the Secure flag on the session cookie (turn on behind HTTPS). */
  HUB_COOKIE_SECURE: z
    .enum(["0", "1", "true", "false"])
    .default("0")
    .transform((v) => v === "1" || v === "true"),
  /**
   * Take the client address (login rate limits) from the left-most X-Forwarded-For: set only
   * when a proxy in front overwrites that header, or clients choose their own address.
   */
  HUB_TRUST_PROXY: z
    .enum(["0", "1", "true", "false"])
    .default("0")
    .transform((v) => v === "1" || v === "true"),
  /**
   * Embedded database (PGlite) in a worker thread: its statements (ingest's upserts above all)
   * then run beside the request thread instead of stalling every request of the hub.
   */
  HUB_PGLITE_THREAD: z
    .enum(["0", "1", "true", "false", ""])
    .default("1")
    .transform((v) => v !== "0" && v !== "false"),
  /** Base64 32-byte key for channel secrets and backups; default a key file under the data dir. */
  PEAKWATCH_MASTER_KEY: optionalString,
  /** Hours between scheduled backups of the hub's database; 0 turns them off. */
  HUB_BACKUP_INTERVAL_HOURS: z.coerce
    .number()
    .nonnegative()
    .max(24 * 365)
    .default(24),
  /** Scheduled and on-demand archives kept; older ones are deleted after a successful backup. */
  HUB_BACKUP_KEEP: z.coerce.number().int().min(1).max(1000).default(7),
  /** Where backups go; default <data dir>/backups. */
  HUB_BACKUP_DIR: optionalString,
  /** Secret for hashing login codes; generated per process when unset (codes then die with it). */
  HUB_OTP_SECRET: optionalString,
});

export type HubConfig = z.infer<typeof schema> & { databaseUrl: string | undefined };

/** Parses the hub's environment once; throws ConfigError naming the variable. */
export function loadHubConfig(env: Record<string, string | undefined> = process.env): HubConfig {
  const config = parseEnv(schema, env);
  return { ...config, databaseUrl: config.HUB_DATABASE_URL ?? config.DATABASE_URL };
}

import { z } from "zod";
import { ChannelUrlSchema } from "../../core/channel.ts";
import { optionalString, parseEnv } from "../../core/config.ts";

const ms = (fallback: number) => z.coerce.number().int().positive().default(fallback);
/** Seconds, fractions allowed (tests run on sub-second timings). */
const seconds = (fallback: number) =>
  z.coerce
    .number()
    .nonnegative()
    .max(7 * 24 * 3600)
    .default(fallback);

const schema = z.object({
  /** Forward alerts to this Alertmanager (POST {url}/api/v2/alerts). */
  PEAKWATCH_ALERTMANAGER_URL: ChannelUrlSchema.optional(),
  /** Post Alertmanager-style webhook payloads (version 4) here. */
  PEAKWATCH_WEBHOOK_URL: ChannelUrlSchema.optional(),
  /** Mail critical alerts here (needs SMTP_URL to send; captured in the hub otherwise). */
  PEAKWATCH_ALERT_EMAIL: z.email().optional(),
  /** smtp://user:pass@host:port or smtps://…; absent means embedded mode (mail is captured). */
  SMTP_URL: optionalString,
  /** Sender of alert mail. */
  PEAKWATCH_ALERT_EMAIL_FROM: z.string().default("Peakwatch alerts <alerts@peakwatch.local>"),
  /** A YAML or JSON file declaring channels, routes and inhibition rules (replaces the env shortcuts). */
  PEAKWATCH_ALERTING_CONFIG: optionalString,
  /** Base64 256-bit key wrapping channel secrets; generated under PEAKWATCH_DATA_DIR/hub/ when unset. */
  PEAKWATCH_MASTER_KEY: optionalString,
  /** How the dashboard is reached, for links in notifications. */
  PEAKWATCH_EXTERNAL_URL: z.url().default("http://127.0.0.1:4000"),
  /** Milliseconds between periodic evaluations (ingest also triggers one). */
  PEAKWATCH_ALERT_EVAL_INTERVAL_MS: ms(1000),
  /** Per-attempt timeout of a notification, milliseconds. */
  PEAKWATCH_NOTIFY_TIMEOUT_MS: ms(10_000),
  /** Tries per notification before it is logged as failed. */
  PEAKWATCH_NOTIFY_MAX_ATTEMPTS: ms(8),
  /** First retry delay, milliseconds; doubles per attempt with jitter, capped at 5 minutes. */
  PEAKWATCH_NOTIFY_BACKOFF_MS: ms(1000),
  /** A notice decided but not delivered this long ago (its hub died) is re-sent by the leader, seconds. */
  PEAKWATCH_NOTIFY_RESEND_GRACE_SECONDS: seconds(10),
  /** How often firing alerts are re-sent to Alertmanager (it expires them otherwise), ms. */
  PEAKWATCH_ALERTMANAGER_RESEND_MS: ms(60_000),
  /** Alertmanager's group_wait for routes that set none: wait this long before a group's first notice. */
  PEAKWATCH_GROUP_WAIT_SECONDS: seconds(30),
  /** group_interval: new alerts in an already-notified group wait this long. */
  PEAKWATCH_GROUP_INTERVAL_SECONDS: seconds(300),
  /** repeat_interval: reminders of unacknowledged firing alerts (channels and live push). */
  PEAKWATCH_REPEAT_INTERVAL_SECONDS: seconds(4 * 3600),
  /** A run that has not reported for this long is over (its generator died): its alerts resolve. */
  PEAKWATCH_RUN_STALE_SECONDS: seconds(90),
});

export type AlertingConfig = z.infer<typeof schema>;

/** Parses alerting's own settings once; throws ConfigError naming the variable. */
export function loadAlertingConfig(env: Record<string, string | undefined> = process.env): AlertingConfig {
  return parseEnv(schema, env);
}

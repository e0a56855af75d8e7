import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import {
  type AlertingFile,
  AlertingFileSchema,
  type ChannelInput,
  ChannelInputSchema,
} from "../../core/channel.ts";
import { ConfigError } from "../../core/config.ts";
import { describeZodError } from "../../core/http/validate.ts";
import type { AlertingConfig } from "../alerting/config.ts";

/**
 * Channels declared by the env shortcuts: one per variable set, validated like any channel
 * (credentials in a URL are refused). Throws ConfigError naming the variable.
 */
export function envChannels(config: AlertingConfig): ChannelInput[] {
  const out = declaredByEnv(config);
  for (const channel of out) {
    const parsed = ChannelInputSchema.safeParse(channel);
    if (!parsed.success) {
      const variable = {
        "env-webhook": "PEAKWATCH_WEBHOOK_URL",
        "env-alertmanager": "PEAKWATCH_ALERTMANAGER_URL",
      }[channel.name];
      throw new ConfigError(
        variable ?? "PEAKWATCH_ALERT_EMAIL",
        describeZodError(parsed.error, channel.name),
      );
    }
  }
  return out;
}

function declaredByEnv(config: AlertingConfig): ChannelInput[] {
  const out: ChannelInput[] = [];
  if (config.PEAKWATCH_WEBHOOK_URL)
    out.push({
      name: "env-webhook",
      kind: "webhook",
      enabled: true,
      url: config.PEAKWATCH_WEBHOOK_URL,
      headers: {},
    });
  if (config.PEAKWATCH_ALERTMANAGER_URL) {
    out.push({
      name: "env-alertmanager",
      kind: "alertmanager",
      enabled: true,
      url: config.PEAKWATCH_ALERTMANAGER_URL,
      headers: {},
    });
  }
  if (config.PEAKWATCH_ALERT_EMAIL)
    out.push({ name: "env-email", kind: "email", enabled: true, to: [config.PEAKWATCH_ALERT_EMAIL] });
  return out;
}

/** Reads PEAKWATCH_ALERTING_CONFIG (YAML or JSON); throws ConfigError naming the variable and field. */
export function readAlertingFile(path: string): AlertingFile {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ConfigError("PEAKWATCH_ALERTING_CONFIG", `cannot read ${path}: ${(error as Error).message}`);
  }
  const parsed = AlertingFileSchema.safeParse(raw);
  if (!parsed.success)
    throw new ConfigError("PEAKWATCH_ALERTING_CONFIG", describeZodError(parsed.error, path));
  return parsed.data;
}

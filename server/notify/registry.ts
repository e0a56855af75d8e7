import type { ChannelInput, ChannelKind } from "../../core/channel.ts";
import { alertmanagerNotifier } from "./alertmanager.ts";
import { emailNotifier, type MailCapture } from "./email.ts";
import type { Notifier } from "./notifier.ts";
import { pagerdutyNotifier } from "./pagerduty.ts";
import { slackNotifier } from "./slack.ts";
import { webhookNotifier } from "./webhook.ts";

/** What notifier factories may need besides the channel itself. */
export interface NotifierContext {
  now: () => number;
  timeoutMs: number;
  /** The default SMTP server (SMTP_URL) for email channels without their own. */
  smtpUrl: string | undefined;
  mailFrom: string;
  capture: MailCapture;
  /** How long a forwarded firing alert stays valid in Alertmanager without a re-send. */
  alertmanagerValidForMs: number;
}

type Factory<K extends ChannelKind> = (
  channel: Extract<ChannelInput, { kind: K }>,
  ctx: NotifierContext,
) => Notifier;

/** One factory per channel kind: adding a kind means adding a line here, not an if-chain elsewhere. */
export const notifierKinds: { [K in ChannelKind]: Factory<K> } = {
  webhook: (c) => webhookNotifier({ url: c.url, headers: c.headers }),
  alertmanager: (c, ctx) =>
    alertmanagerNotifier(
      { url: c.url, headers: c.headers },
      { now: ctx.now, validForMs: ctx.alertmanagerValidForMs },
    ),
  email: (c, ctx) =>
    emailNotifier(
      { to: c.to, from: c.from ?? ctx.mailFrom, smtpUrl: c.smtpUrl ?? ctx.smtpUrl },
      { capture: ctx.capture, timeoutMs: ctx.timeoutMs },
    ),
  slack: (c) => slackNotifier({ url: c.url, channel: c.channel }),
  pagerduty: (c) => pagerdutyNotifier({ url: c.url, routingKey: c.routingKey }),
};

export function buildNotifier(channel: ChannelInput, ctx: NotifierContext): Notifier {
  return (notifierKinds[channel.kind] as Factory<ChannelKind>)(channel as never, ctx);
}

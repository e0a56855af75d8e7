import { type Notification, stateText, title } from "./notification.ts";
import { type Notifier, postJson } from "./notifier.ts";

/** A Slack incoming-webhook message: `text` for notifications, blocks for the body. */
export interface SlackPayload {
  text: string;
  channel?: string;
  blocks: Array<{ type: "section"; text: { type: "mrkdwn"; text: string } }>;
}

/** Slack's mrkdwn needs &, < and > escaped. */
const mrkdwn = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

const MAX_LISTED = 20;

export function slackPayload(n: Notification, channel?: string): SlackPayload {
  const head = mrkdwn(title(n));
  const lines = n.alerts.slice(0, MAX_LISTED).map((a) => {
    const summary = a.annotations.summary ?? a.annotations.description ?? "";
    return `• *${mrkdwn(stateText(a))}* ${mrkdwn(a.labels.alertname ?? "")}${summary ? `: ${mrkdwn(summary)}` : ""}`;
  });
  if (n.alerts.length > MAX_LISTED) lines.push(`… and ${n.alerts.length - MAX_LISTED} more`);
  return {
    text: head,
    ...(channel ? { channel } : {}),
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: `*${head}*` } },
      {
        type: "section",
        text: { type: "mrkdwn", text: `${lines.join("\n")}\n<${n.externalURL}|Open Peakwatch>` },
      },
    ],
  };
}

/** Posts to a Slack incoming webhook (the URL is the secret). */
export function slackNotifier(settings: { url: string; channel?: string | undefined }): Notifier {
  return { send: (n, signal) => postJson(settings.url, slackPayload(n, settings.channel), {}, signal) };
}

import { createHash } from "node:crypto";
import type { Notification } from "./notification.ts";
import { title } from "./notification.ts";
import { type Notifier, postJson } from "./notifier.ts";

/** PagerDuty Events API v2 event (https://developer.pagerduty.com/api-reference/368ae3d938c9e-send-an-event-to-pager-duty). */
export interface PagerDutyEvent {
  routing_key: string;
  event_action: "trigger" | "resolve";
  /** Stable per notification group, so resolve closes the incident trigger opened. */
  dedup_key: string;
  payload?: {
    summary: string;
    source: string;
    severity: "critical" | "error" | "warning" | "info";
    timestamp: string;
    custom_details: Record<string, unknown>;
  };
  links?: Array<{ href: string; text: string }>;
}

const severityOf = (s: string | undefined): "critical" | "warning" | "info" =>
  s === "critical" ? "critical" : s === "warning" ? "warning" : "info";

/** One event per notification: trigger while anything fires, resolve once the group is clear. */
export function pagerdutyEvent(n: Notification, routingKey: string): PagerDutyEvent {
  const dedup_key = createHash("sha256").update(n.groupKey).digest("hex").slice(0, 32);
  if (n.status === "resolved") return { routing_key: routingKey, event_action: "resolve", dedup_key };
  const firing = n.alerts.filter((a) => a.status === "firing");
  return {
    routing_key: routingKey,
    event_action: "trigger",
    dedup_key,
    payload: {
      summary: title(n).slice(0, 1024),
      source: n.commonLabels.target ?? "peakwatch",
      severity: severityOf(n.commonLabels.severity ?? firing[0]?.labels.severity),
      timestamp: new Date(Math.min(...firing.map((a) => a.startsAt))).toISOString(),
      custom_details: {
        alerts: firing.map((a) => ({
          alertname: a.labels.alertname,
          summary: a.annotations.summary ?? "",
          labels: a.labels,
          recovering: a.recovering,
        })),
      },
    },
    links: [{ href: n.externalURL, text: "Peakwatch" }],
  };
}

/** Posts Events API v2 events; the routing key is the secret. */
export function pagerdutyNotifier(settings: { url: string; routingKey: string }): Notifier {
  return {
    send: (n, signal) => postJson(settings.url, pagerdutyEvent(n, settings.routingKey), {}, signal),
  };
}

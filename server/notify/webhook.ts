import { type Notification, stateText } from "./notification.ts";
import { type Notifier, postJson } from "./notifier.ts";

/** Alertmanager's webhook payload, version 4 (times as RFC 3339; endsAt zero time while firing). */
export interface WebhookPayload {
  version: "4";
  groupKey: string;
  truncatedAlerts: number;
  status: "firing" | "resolved";
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: Array<{
    status: "firing" | "resolved";
    labels: Record<string, string>;
    annotations: Record<string, string>;
    startsAt: string;
    endsAt: string;
    generatorURL: string;
    fingerprint: string;
  }>;
}

/** Alertmanager writes Go's zero time for "not ended". */
export const ZERO_TIME = "0001-01-01T00:00:00Z";

/** Most alerts per webhook body; the rest are counted in truncatedAlerts (as Alertmanager's max_alerts). */
const MAX_ALERTS = 100;

export function webhookPayload(n: Notification): WebhookPayload {
  const alerts = n.alerts.slice(0, MAX_ALERTS);
  return {
    version: "4",
    groupKey: n.groupKey,
    truncatedAlerts: n.alerts.length - alerts.length,
    status: n.status,
    receiver: n.receiver,
    groupLabels: { ...n.groupLabels },
    commonLabels: { ...n.commonLabels },
    commonAnnotations: { ...n.commonAnnotations },
    externalURL: n.externalURL,
    alerts: alerts.map((a) => ({
      status: a.status,
      labels: a.labels,
      // Version 4 has only firing/resolved; the annotation says "held open (recovering)" truthfully.
      annotations: { ...a.annotations, state: stateText(a) },
      startsAt: new Date(a.startsAt).toISOString(),
      endsAt: a.endsAt === null ? ZERO_TIME : new Date(a.endsAt).toISOString(),
      generatorURL: a.generatorURL,
      fingerprint: a.fingerprint,
    })),
  };
}

/**
 * Posts the version 4 payload; `headers` (e.g. Authorization) come from the channel's secret.
 * A notice re-sent after a crash carries the same `Idempotency-Key` header (the notification id).
 */
export function webhookNotifier(settings: { url: string; headers: Record<string, string> }): Notifier {
  return {
    send: (n, signal) =>
      postJson(
        settings.url,
        webhookPayload(n),
        // The same id on a re-send (at-least-once delivery): receivers deduplicate on it.
        { ...settings.headers, "x-peakwatch-notification": n.id, "idempotency-key": n.id },
        signal,
      ),
  };
}

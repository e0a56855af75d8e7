import type { NotifiedAlert } from "./notification.ts";
import { type Notifier, postJson } from "./notifier.ts";

/** Alertmanager v2 OpenAPI `postableAlert`: labels required, the rest optional, times RFC 3339. */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
}

/**
 * Maps alerts to postableAlerts. A firing alert gets `endsAt` = now + `validForMs` (as Prometheus
 * does), so Alertmanager resolves it by itself if Peakwatch stops re-sending; a resolved one
 * gets its real end.
 */
export function postableAlerts(
  alerts: ReadonlyArray<NotifiedAlert>,
  now: number,
  validForMs: number,
): PostableAlert[] {
  return alerts.map((a) => ({
    labels: a.labels,
    annotations: a.annotations,
    startsAt: new Date(a.startsAt).toISOString(),
    endsAt: new Date(a.endsAt ?? now + validForMs).toISOString(),
    generatorURL: a.generatorURL,
  }));
}

/** Posts to {url}/api/v2/alerts. */
export function alertmanagerNotifier(
  settings: { url: string; headers: Record<string, string> },
  options: { now: () => number; validForMs: number },
): Notifier {
  const endpoint = new URL(
    "api/v2/alerts",
    settings.url.endsWith("/") ? settings.url : `${settings.url}/`,
  ).toString();
  return {
    send: (n, signal) =>
      postJson(
        endpoint,
        postableAlerts(n.alerts, options.now(), options.validForMs),
        settings.headers,
        signal,
      ),
  };
}

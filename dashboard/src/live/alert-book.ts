import type { Alert, AlertEvent, AlertState } from "../../../core/alert.ts";

/**
 * The alerts a view knows, by fingerprint: seeded from GET /alerts, then kept current by live
 * events. An event older than what the book already holds for that alert is ignored, so a
 * replay after a reconnect never rolls an alert back.
 */
export class AlertBook {
  private readonly alerts = new Map<string, Alert>();
  private readonly seqs = new Map<string, number>();

  /** Replaces everything with a fresh list from the REST API. */
  reset(alerts: ReadonlyArray<Alert>): void {
    this.alerts.clear();
    this.seqs.clear();
    for (const alert of alerts) this.alerts.set(alert.fingerprint, alert);
  }

  /** Applies one live event; returns true when it changed the book. */
  apply(event: AlertEvent): boolean {
    const fingerprint = event.alert.fingerprint;
    const seen = this.seqs.get(fingerprint);
    if (seen !== undefined && event.seq <= seen) return false;
    this.seqs.set(fingerprint, event.seq);
    this.alerts.set(fingerprint, event.alert);
    return true;
  }

  get(fingerprint: string): Alert | undefined {
    return this.alerts.get(fingerprint);
  }

  /** Alerts in the given states (all when empty), firing first, then newest first. */
  list(states: ReadonlyArray<AlertState> = [], text = ""): Alert[] {
    const needle = text.trim().toLowerCase();
    return [...this.alerts.values()]
      .filter((a) => states.length === 0 || states.includes(a.state))
      .filter((a) => needle === "" || haystack(a).includes(needle))
      .sort((a, b) => rank(a) - rank(b) || latest(b) - latest(a));
  }

  /** How many alerts are in each state. */
  counts(): Record<AlertState, number> {
    const counts: Record<AlertState, number> = { inactive: 0, pending: 0, firing: 0, resolved: 0 };
    for (const a of this.alerts.values()) counts[a.state] += 1;
    return counts;
  }
}

const order: Record<AlertState, number> = { firing: 0, pending: 1, resolved: 2, inactive: 3 };
const rank = (a: Alert) => order[a.state];
const latest = (a: Alert) => Math.max(a.resolvedAt ?? 0, a.firedAt ?? 0, a.activeAt ?? 0);
const haystack = (a: Alert) =>
  [
    a.rule,
    a.severity,
    ...Object.entries(a.labels).map(([k, v]) => `${k}=${v}`),
    ...Object.values(a.annotations),
  ]
    .join(" ")
    .toLowerCase();

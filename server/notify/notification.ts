import type { Labels } from "../../core/fingerprint.ts";

/** One alert inside a notification, in Alertmanager's words. */
export interface NotifiedAlert {
  status: "firing" | "resolved";
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Unix epoch milliseconds. */
  startsAt: number;
  /** Unix epoch milliseconds; null while firing. */
  endsAt: number | null;
  generatorURL: string;
  fingerprint: string;
  acknowledgedBy: string | null;
  /** Firing only because keep_firing_for holds it open: its condition has cleared. */
  recovering: boolean;
}

/** The truthful word for an alert's state: "firing", "held open (recovering)" or "resolved". */
export function stateText(a: Pick<NotifiedAlert, "status" | "recovering">): string {
  if (a.status === "resolved") return "resolved";
  return a.recovering ? "held open (recovering)" : "firing";
}

/** What a channel is asked to deliver: one notification group at one moment. */
export interface Notification {
  /** The delivery log id; stable across retries, so receivers can deduplicate. */
  id: string;
  groupKey: string;
  /** The channel name (Alertmanager's receiver). */
  receiver: string;
  status: "firing" | "resolved";
  /** A "still firing" notice: nothing changed since the last one. */
  reminder: boolean;
  groupLabels: Labels;
  commonLabels: Labels;
  commonAnnotations: Labels;
  externalURL: string;
  alerts: NotifiedAlert[];
}

/** The labels (or annotations) every alert shares with the same value. */
export function common(maps: ReadonlyArray<Labels>): Record<string, string> {
  const [first, ...rest] = maps;
  if (!first) return {};
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(first)) {
    if (rest.every((m) => m[key] === value)) out[key] = value;
  }
  return out;
}

/**
 * A one-line title: "[FIRING:2] CheckoutErrorRate (critical)", "[HELD OPEN (recovering):1] …"
 * when every firing alert is only held open by keep_firing_for, or "[RESOLVED] …"; reminders marked.
 */
export function title(n: Notification): string {
  const firing = n.alerts.filter((a) => a.status === "firing");
  const holding = firing.length > 0 && firing.every((a) => a.recovering);
  const head =
    n.status === "resolved"
      ? "[RESOLVED]"
      : holding
        ? `[HELD OPEN (recovering):${firing.length}]`
        : `[FIRING:${firing.length}]`;
  const name = n.commonLabels.alertname ?? n.groupLabels.alertname ?? "alerts";
  const severity = n.commonLabels.severity ? ` (${n.commonLabels.severity})` : "";
  return `${n.reminder ? "[STILL FIRING] " : ""}${head} ${name}${severity}`;
}

/** A plain-text body listing each alert with its summary and labels (used by email). */
export function plainText(n: Notification): string {
  const lines = [title(n), ""];
  for (const a of n.alerts) {
    const summary = a.annotations.summary ?? a.annotations.description ?? "";
    lines.push(`- ${stateText(a).toUpperCase()} ${a.labels.alertname ?? ""}${summary ? `: ${summary}` : ""}`);
    if (a.annotations.resolution) lines.push(`  resolution: ${a.annotations.resolution}`);
    lines.push(
      `  since ${new Date(a.startsAt).toISOString()}${a.endsAt ? `, resolved ${new Date(a.endsAt).toISOString()}` : ""}`,
    );
    if (a.acknowledgedBy) lines.push(`  acknowledged by ${a.acknowledgedBy}`);
    const labels = Object.entries(a.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(", ");
    lines.push(`  labels: ${labels}`);
  }
  lines.push("", `Dashboard: ${n.externalURL}`);
  return lines.join("\n");
}

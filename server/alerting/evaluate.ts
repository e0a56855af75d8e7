import type { Alert, AlertEventKind } from "../../core/alert.ts";
import { fingerprint, type Labels } from "../../core/fingerprint.ts";
import type { Rule } from "../../core/rule.ts";
import type { AlertData } from "./data.ts";
import { advance, inactive, type Lifecycle } from "./lifecycle.ts";
import { measure } from "./measure.ts";
import { renderAnnotations } from "./template.ts";

/** An alert instance as the engine tracks it: the wire Alert plus what the lifecycle needs. */
export interface TrackedAlert extends Alert {
  ruleId: string;
  lastBreachAt: number | null;
  /** Last evaluation that saw this instance (series present or not). */
  evaluatedAt: number;
}

export interface Transition {
  kind: AlertEventKind;
  alert: TrackedAlert;
}

export interface RuleEvaluation {
  /** Every instance of the rule still worth tracking (resolved ones until their retention ends). */
  alerts: TrackedAlert[];
  /** What changed, in order. */
  transitions: Transition[];
}

/** Resolved alerts stay listed this long (as Prometheus keeps resolved alerts for 15 minutes). */
export const RESOLVED_RETENTION_MS = 15 * 60 * 1000;

/** The labels an instance of `rule` carries for a series: rule labels, series labels, name and severity. */
export function alertLabels(rule: Rule, seriesLabels: Labels): Record<string, string> {
  return { ...rule.labels, ...seriesLabels, alertname: rule.name, severity: rule.severity };
}

function lifecycleOf(alert: TrackedAlert | undefined): Lifecycle {
  if (!alert) return inactive;
  const { state, activeAt, firedAt, resolvedAt, lastBreachAt, acknowledgedBy, acknowledgedAt } = alert;
  return { state, activeAt, firedAt, resolvedAt, lastBreachAt, acknowledgedBy, acknowledgedAt };
}

/**
 * Evaluates one rule at `now`: `(rule, data, previous instances, now) → instances + transitions`.
 * Pure. A series that vanished counts as not breaching, so its alert resolves (after
 * `keep_firing_for`) rather than firing forever.
 */
export function evaluateRule(
  rule: Rule,
  data: AlertData,
  previous: ReadonlyMap<string, TrackedAlert>,
  now: number,
): RuleEvaluation {
  const alerts: TrackedAlert[] = [];
  const transitions: Transition[] = [];
  const seen = new Set<string>();
  const threshold = rule.kind === "threshold" ? rule.threshold : (rule.windows[0]?.factor ?? null);

  const step = (labels: Record<string, string>, fp: string, value: number | null, breaching: boolean) => {
    const prev = previous.get(fp);
    const { next, event } = advance(lifecycleOf(prev), breaching, rule, now);
    if (next.state === "inactive" && !prev) return;
    const shown = value ?? prev?.value ?? null;
    const alert: TrackedAlert = {
      fingerprint: fp,
      rule: rule.name,
      ruleId: rule.id,
      severity: rule.severity,
      labels,
      annotations: renderAnnotations(rule.annotations, { value: shown, threshold, labels }),
      value: shown,
      ...next,
      silencedBy: prev?.silencedBy ?? [],
      inhibited: prev?.inhibited ?? false,
      evaluatedAt: now,
    };
    if (event) transitions.push({ kind: event, alert });
    const expired = alert.state === "resolved" && now - (alert.resolvedAt ?? now) >= RESOLVED_RETENTION_MS;
    if (alert.state !== "inactive" && !expired) alerts.push(alert);
  };

  for (const series of measure(rule, data, now)) {
    const labels = alertLabels(rule, series.labels);
    const fp = fingerprint(labels);
    if (seen.has(fp)) continue;
    seen.add(fp);
    step(labels, fp, series.value, series.breaching);
  }
  for (const [fp, prev] of previous) {
    if (prev.ruleId === rule.id && !seen.has(fp)) step(prev.labels, fp, null, false);
  }
  return { alerts, transitions };
}

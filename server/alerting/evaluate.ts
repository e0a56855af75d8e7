import type { Alert, AlertEventKind } from "../../core/alert.ts";
import { fingerprint, type Labels } from "../../core/fingerprint.ts";
import { formatRuleValue, type Rule } from "../../core/rule.ts";
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
  /** When the last reminder went out over live push (null: none yet this activation). */
  remindedAt?: number | null;
}

/** Annotation set on an alert resolved because the load run it was about ended. */
export const RUN_ENDED = "run ended";

export interface Transition {
  kind: AlertEventKind;
  alert: TrackedAlert;
  /** Who caused it (acknowledgements). */
  actor?: string;
}

export interface RuleEvaluation {
  /** Every instance of the rule still worth tracking (resolved ones until their retention ends). */
  alerts: TrackedAlert[];
  /** What changed, in order. */
  transitions: Transition[];
  /** Every value measured this time (null: not enough data), for "is the objective met now". */
  measured: Array<number | null>;
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
  const measured: Array<number | null> = [];
  const seen = new Set<string>();
  const ended = data.endedRuns ?? new Set<string>();
  const runScoped = rule.kind === "burn_rate" || rule.query.source === "windows";
  const threshold = rule.kind === "threshold" ? rule.threshold : (rule.windows[0]?.factor ?? null);

  const step = (
    labels: Record<string, string>,
    fp: string,
    value: number | null,
    breaching: boolean,
    runEnded = false,
  ) => {
    const prev = previous.get(fp);
    // The run is over: nothing will clear its frozen windows, so its alert ends with it, at once.
    const timing = runEnded ? { forSeconds: rule.forSeconds, keepFiringForSeconds: 0 } : rule;
    const { next, event } = advance(lifecycleOf(prev), breaching, timing, now);
    if (next.state === "inactive" && !prev) return;
    const shown = value ?? prev?.value ?? null;
    const annotations = renderAnnotations(rule.annotations, { value: shown, threshold, labels });
    if (next.state === "resolved") {
      const why = event === "resolved" ? (runEnded ? RUN_ENDED : undefined) : prev?.annotations.resolution;
      if (why) annotations.resolution = why;
    }
    const alert: TrackedAlert = {
      fingerprint: fp,
      rule: rule.name,
      ruleId: rule.id,
      severity: rule.severity,
      labels,
      annotations,
      value: shown,
      valueText: formatRuleValue(rule, shown),
      ...next,
      remindedAt: next.activeAt === prev?.activeAt ? (prev?.remindedAt ?? null) : null,
      silencedBy: prev?.silencedBy ?? [],
      inhibited: prev?.inhibited ?? false,
      evaluatedAt: now,
    };
    if (event) transitions.push({ kind: event, alert });
    const expired = alert.state === "resolved" && now - (alert.resolvedAt ?? now) >= RESOLVED_RETENTION_MS;
    if (alert.state !== "inactive" && !expired) alerts.push(alert);
  };

  for (const series of measure(rule, data, now)) {
    if (runScoped && series.labels.runId !== undefined && ended.has(series.labels.runId)) continue;
    measured.push(series.value);
    const labels = alertLabels(rule, series.labels);
    const fp = fingerprint(labels);
    if (seen.has(fp)) continue;
    seen.add(fp);
    step(labels, fp, series.value, series.breaching);
  }
  for (const [fp, prev] of previous) {
    if (prev.ruleId !== rule.id || seen.has(fp)) continue;
    const runEnded = prev.labels.runId !== undefined && ended.has(prev.labels.runId);
    step(prev.labels, fp, null, false, runEnded);
  }
  return { alerts, transitions, measured };
}

/**
 * Threshold expressions such as `p95(checkout) < 800ms`, `error_rate < 1%`: parsing and
 * formatting in their units. Import-free, so the dashboard can show thresholds without the
 * histogram code that evaluates them (core/threshold.ts).
 */

import type { StoppedBy, ThresholdResult } from "./run.ts";

/** What a threshold measures, and in which unit its value is compared. */
const metricKinds = {
  latency: "ms",
  ratio: "ratio",
  count: "count",
} as const;
export type MetricKind = keyof typeof metricKinds;

export interface ParsedThreshold {
  expression: string;
  /** `p95`, `avg`, `max`, `min`, `error_rate`, `achieved_rate`, `dropped_rate`, `dropped`, `count`. */
  metric: string;
  /** The step it looks at; undefined means every request (latency, errors) or the arrivals. */
  step: string | undefined;
  op: "<" | "<=" | ">" | ">=";
  /** The limit in the metric's unit: ms for latency, 0..1 for ratios, a plain number for counts. */
  limit: number;
  kind: MetricKind;
  /** For percentile metrics, the percentile (e.g. 95). */
  percentile?: number;
}

const PATTERN =
  /^\s*([a-z_]+|p\d{1,2}(?:\.\d+)?)\s*(?:\(\s*([A-Za-z0-9_.:-]+)\s*\))?\s*(<=|>=|<|>)\s*(\d+(?:\.\d+)?)\s*(ms|s|%)?\s*$/;

const namedMetrics: Record<string, MetricKind> = {
  avg: "latency",
  mean: "latency",
  min: "latency",
  max: "latency",
  error_rate: "ratio",
  achieved_rate: "ratio",
  dropped_rate: "ratio",
  dropped: "count",
  count: "count",
};

/** Parses one expression; the error result says what is wrong in words. */
export function parseThreshold(
  expression: string,
): { ok: true; threshold: ParsedThreshold } | { ok: false; error: string } {
  const m = PATTERN.exec(expression);
  if (!m) {
    return {
      ok: false,
      error:
        'expected "<metric>[(<step>)] <op> <value>[unit]", e.g. "p95(checkout) < 800ms" or "error_rate < 1%"',
    };
  }
  const [, metric, step, op, rawValue, unit] = m as unknown as [
    string,
    string,
    string | undefined,
    ParsedThreshold["op"],
    string,
    string | undefined,
  ];
  const value = Number(rawValue);
  let kind: MetricKind;
  let percentile: number | undefined;
  if (metric.startsWith("p") && /^p\d/.test(metric)) {
    kind = "latency";
    percentile = Number(metric.slice(1));
    if (!(percentile > 0 && percentile <= 100))
      return { ok: false, error: `percentile out of range in "${metric}"` };
  } else {
    const k = namedMetrics[metric];
    if (!k)
      return {
        ok: false,
        error: `unknown metric "${metric}"; use pNN, avg, min, max, ${Object.keys(namedMetrics).slice(4).join(", ")}`,
      };
    kind = k;
  }
  let limit: number;
  if (kind === "latency") {
    if (unit === "%") return { ok: false, error: `"${metric}" is a latency: give the limit in ms or s` };
    limit = unit === "s" ? value * 1000 : value;
  } else if (kind === "ratio") {
    if (unit === "ms" || unit === "s")
      return { ok: false, error: `"${metric}" is a ratio: give the limit in % or as 0..1` };
    limit = unit === "%" ? value / 100 : value;
  } else {
    if (unit) return { ok: false, error: `"${metric}" is a count: give a plain number` };
    limit = value;
  }
  return {
    ok: true,
    threshold: { expression: expression.trim(), metric, step, op, limit, kind, percentile },
  };
}

/** Formats a measured value in the threshold's unit for people. */
export function formatMeasured(t: ParsedThreshold, value: number | null): string {
  if (value === null) return "no data";
  // A second and more in seconds, as the dashboard's figures read: "1.40 s", not "1400.0 ms".
  if (t.kind === "latency")
    return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(1)} ms`;
  if (t.kind === "ratio") return `${(value * 100).toFixed(2)} %`;
  return String(value);
}

/** A threshold's limit in its unit ("800 ms", "1 s", "1.00 %", "95.00 %", "0"). */
export function formatLimit(t: ParsedThreshold): string {
  if (t.kind === "latency")
    return t.limit >= 1000 ? `${Number((t.limit / 1000).toFixed(3))} s` : `${t.limit} ms`;
  if (t.kind === "ratio") return `${(t.limit * 100).toFixed(2)} %`;
  return String(t.limit);
}

/** A stored result's measured value and limit in its expression's unit, for people; raw when it no longer parses. */
export function describeResult(
  expression: string,
  value: number | null,
): { measured: string; limit: string } {
  const parsed = parseThreshold(expression);
  if (!parsed.ok) return { measured: value === null ? "no data" : String(value), limit: "" };
  return {
    measured: formatMeasured(parsed.threshold, value),
    limit: `${parsed.threshold.op} ${formatLimit(parsed.threshold)}`,
  };
}

/** Why a run stopped before its end, in words: "stopped early: error_rate < 20% was 25.3 % on worker w1". */
export function stoppedEarlyText(s: StoppedBy): string {
  return `stopped early: ${s.expression} was ${s.value}${s.worker ? ` on worker ${s.worker}` : ""}`;
}

/**
 * What a threshold does when it fails, in words: "stopped the run: 52.24 % over its window on
 * worker w1" for the one that stopped the run, "aborts the run" for another abort threshold, else
 * "judged at the end".
 */
export function onFailureText(
  t: Pick<ThresholdResult, "expression" | "abortOnFail">,
  stoppedBy?: StoppedBy | null,
): string {
  if (stoppedBy && stoppedBy.expression === t.expression)
    return `stopped the run: ${stoppedBy.value} over its window${stoppedBy.worker ? ` on worker ${stoppedBy.worker}` : ""}`;
  return t.abortOnFail ? "aborts the run" : "judged at the end";
}

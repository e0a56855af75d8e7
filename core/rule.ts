import { z } from "zod";
import { severities } from "./alert.ts";
import { durationText } from "./duration.ts";
import { LabelsSchema } from "./matchers.ts";

/** How a measured value is compared with a rule's threshold. */
export const comparators = [">", ">=", "<", "<=", "==", "!="] as const;
export type Comparator = (typeof comparators)[number];

/** Statistics over load-run windows, per run and step (latencies in ms, ratios in 0..1). */
export const windowStats = ["p50", "p95", "p99", "error_rate", "rate", "achieved_ratio", "dropped"] as const;
/** Statistics over probe results, per probe and region. */
export const probeStats = ["success_ratio", "latency_p50", "latency_p95", "latency_p99"] as const;
/** Statistics over a scraped shop series (e.g. nodejs_eventloop_lag_p99_seconds). */
export const metricStats = ["last", "avg", "min", "max"] as const;

const seconds = z
  .number()
  .nonnegative()
  .max(7 * 24 * 3600);
const windowSeconds = z
  .number()
  .positive()
  .max(24 * 3600);
const stepName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_.:-]+$/);

/** What a threshold rule measures; every query yields one value per series (run, probe, metric labels). */
export const QuerySchema = z.discriminatedUnion("source", [
  z.strictObject({
    source: z.literal("windows"),
    stat: z.enum(windowStats),
    /** The journey step, e.g. "checkout"; "journey" is the whole journey (arrival figures live there). */
    step: stepName.default("journey"),
    windowSeconds,
    /** Fewer requests than this in the window gives no value: one failed request of two is not an outage. */
    minCount: z.number().int().nonnegative().default(1),
  }),
  z.strictObject({
    source: z.literal("probes"),
    stat: z.enum(probeStats),
    /** Only this probe; absent means every probe (one series each). */
    probe: z.string().min(1).max(100).optional(),
    windowSeconds,
    minCount: z.number().int().nonnegative().default(1),
  }),
  z.strictObject({
    source: z.literal("metrics"),
    stat: z.enum(metricStats),
    /** The scraped series name. */
    series: z.string().min(1).max(200),
    windowSeconds,
  }),
]);
export type Query = z.infer<typeof QuerySchema>;

/** One window pair of a multiwindow burn-rate alert (SRE workbook ch. 5): both must burn faster than `factor`. */
export const BurnWindowSchema = z
  .strictObject({
    longSeconds: windowSeconds,
    shortSeconds: windowSeconds,
    factor: z.number().positive(),
  })
  .refine((w) => w.shortSeconds < w.longSeconds, {
    message: "shortSeconds must be less than longSeconds",
    path: ["shortSeconds"],
  });
export type BurnWindow = z.infer<typeof BurnWindowSchema>;

const common = {
  /** The alert name (label `alertname`). */
  name: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "use letters, digits and _ (not starting with a digit)"),
  description: z.string().max(1000).default(""),
  enabled: z.boolean().default(true),
  /** A breach must last this long before the alert fires (pending meanwhile). */
  forSeconds: seconds.default(0),
  /** A firing alert stays firing this long after its condition clears, so a flapping signal does not flap. */
  keepFiringForSeconds: seconds.default(0),
  severity: z.enum(severities).default("warning"),
  labels: LabelsSchema.default({}),
  /** Templates: `{{ $value }}`, `{{ $value | humanizePercentage }}`, `{{ $labels.step }}`, `{{ $threshold }}`. */
  annotations: LabelsSchema.default({}),
};

/** A rule as written by users or shipped as a default; what the API accepts. */
export const RuleSpecSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    ...common,
    kind: z.literal("threshold"),
    query: QuerySchema,
    comparator: z.enum(comparators),
    threshold: z.number(),
  }),
  z.strictObject({
    ...common,
    kind: z.literal("burn_rate"),
    /** The step whose error ratio spends the budget ("journey" for the whole journey). */
    step: stepName.default("journey"),
    /** The success objective, e.g. 0.99 for 99 %. */
    objective: z.number().gt(0).lt(1),
    windows: z.array(BurnWindowSchema).min(1).max(4),
    minCount: z.number().int().nonnegative().default(1),
  }),
]);
export type RuleSpec = z.infer<typeof RuleSpecSchema>;

/** Fields GET /rules answers with that a client cannot set; ignored in a body so a read rule can be PUT back. */
const ruleReadOnly = ["id", "builtin", "createdAt", "updatedAt"] as const;

/** What POST /rules and PUT /rules/:id accept: a RuleSpec (unknown fields refused), read-only fields ignored. */
export const RuleBodySchema = z.preprocess((body) => {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return body;
  const spec: Record<string, unknown> = { ...body };
  for (const key of ruleReadOnly) delete spec[key];
  return spec;
}, RuleSpecSchema);
export type ThresholdRuleSpec = Extract<RuleSpec, { kind: "threshold" }>;
export type BurnRateRuleSpec = Extract<RuleSpec, { kind: "burn_rate" }>;

/** A stored rule. */
export type Rule = RuleSpec & {
  id: string;
  /** Shipped with Peakwatch (may be edited or disabled, and restored). */
  builtin: boolean;
  createdAt: number;
  updatedAt: number;
};

/** Whether `value` breaches `threshold` under `comparator`. */
export function compare(value: number, comparator: Comparator, threshold: number): boolean {
  switch (comparator) {
    case ">":
      return value > threshold;
    case ">=":
      return value >= threshold;
    case "<":
      return value < threshold;
    case "<=":
      return value <= threshold;
    case "==":
      return value === threshold;
    case "!=":
      return value !== threshold;
  }
}

/** The longest span of data a rule looks at, in seconds. */
export function lookbackSeconds(rule: RuleSpec): number {
  if (rule.kind === "threshold") return rule.query.windowSeconds;
  return Math.max(...rule.windows.map((w) => w.longSeconds));
}

const ratioStats = new Set(["error_rate", "achieved_ratio", "success_ratio"]);
const msStats = new Set(["p50", "p95", "p99", "latency_p50", "latency_p95", "latency_p99"]);

/**
 * A rule's measured value with its unit: "16 %", "912 ms", "1.02 s", "14.4× budget", "3 dropped",
 * "0.12 s" or "2 d" (a scraped series named …_seconds; …_bytes and …_ratio likewise), "3".
 */
export function formatRuleValue(rule: RuleSpec | undefined, value: number | null): string {
  if (value === null) return "no data";
  const round = (v: number, digits: number) => String(Number(v.toFixed(digits)));
  if (rule?.kind === "burn_rate") return `${round(value, 1)}× budget`;
  if (rule?.kind === "threshold") {
    const query = rule.query;
    const stat = query.stat;
    if (ratioStats.has(stat)) return `${round(value * 100, 1)} %`;
    if (msStats.has(stat))
      return Math.abs(value) >= 1000 ? `${round(value / 1000, 2)} s` : `${round(value, 0)} ms`;
    if (stat === "rate") return `${round(value, 1)}/s`;
    if (stat === "dropped") return `${round(value, 0)} dropped`;
    if (query.source === "metrics") {
      if (query.series.endsWith("_seconds"))
        return Math.abs(value) >= 60 ? durationText(value) : `${round(value, 3)} s`;
      if (query.series.endsWith("_bytes")) return `${round(value / 2 ** 20, 1)} MiB`;
      if (query.series.endsWith("_ratio")) return `${round(value * 100, 1)} %`;
    }
  }
  return round(value, 3);
}

/** What a query measures in words: "p95 of checkout", "success ratio of probe homepage". */
function queryText(q: Query): string {
  const stat = q.stat.replace(/_/g, " ");
  if (q.source === "windows") return `${stat} of ${q.step === "journey" ? "whole journeys" : q.step}`;
  if (q.source === "probes") return `${stat} of ${q.probe ? `probe ${q.probe}` : "each probe"}`;
  return `${stat} of ${q.series}`;
}

/**
 * A rule's condition in words, values in their unit: "p95 of checkout over 1 min > 800 ms";
 * "error budget of whole journeys (objective 99 %) burning faster than 14.4× over 1 h and 5 min".
 */
export function describeRuleCondition(rule: RuleSpec): string {
  if (rule.kind === "threshold")
    return `${queryText(rule.query)} over ${durationText(rule.query.windowSeconds)} ${rule.comparator} ${formatRuleValue(rule, rule.threshold)}`;
  const step = rule.step === "journey" ? "whole journeys" : rule.step;
  const windows = rule.windows
    .map((w) => `${w.factor}× over ${durationText(w.longSeconds)} and ${durationText(w.shortSeconds)}`)
    .join(", or ");
  return `error budget of ${step} (objective ${Number((rule.objective * 100).toFixed(3))} %) burning faster than ${windows}`;
}

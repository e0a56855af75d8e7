import { durationText } from "../../core/duration.ts";
import type { Labels } from "../../core/fingerprint.ts";

export interface TemplateData {
  value: number | null;
  threshold: number | null;
  labels: Labels;
}

/** Value formatters usable after a pipe, named as in Prometheus templates. */
const formatters: Record<string, (value: number) => string> = {
  humanize: (v) => (Math.abs(v) >= 1000 ? v.toExponential(2) : round(v)),
  humanizePercentage: (v) => `${round(v * 100)}%`,
  ms: (v) => `${round(v)} ms`,
  // A backup two days old reads "2 d", not "172800 s"; a lag of a quarter second stays "0.25 s".
  seconds: (v) => (Math.abs(v) >= 60 ? durationText(v) : `${round(v)} s`),
};

function round(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) < 1 ? 3 : 2).replace(/\.?0+$/, "");
}

const expression =
  /\{\{\s*\$(value|threshold|labels\.([A-Za-z_][A-Za-z0-9_]*))\s*(?:\|\s*([A-Za-z]+)\s*)?\}\}/g;

/**
 * Renders an annotation template: `{{ $value }}`, `{{ $threshold | humanizePercentage }}`,
 * `{{ $labels.step }}`. Unknown formatters and missing values render as-is or "n/a"; never throws.
 */
export function renderTemplate(template: string, data: TemplateData): string {
  return template.replace(expression, (whole, what: string, label: string | undefined, pipe?: string) => {
    if (label !== undefined) return data.labels[label] ?? "";
    const value = what === "value" ? data.value : data.threshold;
    if (value === null) return "n/a";
    if (pipe === undefined) return round(value);
    const format = formatters[pipe];
    return format ? format(value) : whole;
  });
}

/** Renders every annotation of a rule. */
export function renderAnnotations(templates: Labels, data: TemplateData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, template] of Object.entries(templates)) out[key] = renderTemplate(template, data);
  return out;
}

import { type CauseCounts, noLatencyReason } from "./error-causes.ts";
import { parseThreshold } from "./threshold-expression.ts";

/** What a run measured at one step (RunDetail's per-step summary): requests and failures by cause. */
export interface StepTotals {
  count: number;
  causes: CauseCounts;
}

/**
 * The measured cell of a threshold that has no value, with its cause: "no data: no successful
 * request: 40 × connection refused", "no data: no request", or "no data: no step "chekout" ran in
 * this run" (a misspelt step). Plain "no data" when the run's totals are not known.
 */
export function thresholdNoData(
  expression: string,
  steps: Readonly<Record<string, StepTotals>> | undefined,
  requests: StepTotals | undefined,
): string {
  const parsed = parseThreshold(expression);
  if (!parsed.ok || !steps) return "no data";
  const step = parsed.threshold.step;
  const totals = step === undefined ? requests : steps[step];
  if (totals) return `no data: ${noLatencyReason(totals.count, totals.causes)}`;
  return step === undefined ? "no data" : `no data: no step "${step}" ran in this run`;
}

/**
 * Thresholds such as `p95(checkout) < 800ms`, `p99 < 2s`, `error_rate < 1%`,
 * `achieved_rate > 95%`: parsing and evaluation over aggregated step totals. Pure.
 */
import { type CauseCounts, mergeCauses } from "./error-causes.ts";
import { addHistogram, decodeHistogram, type Histogram, newHistogram } from "./histogram.ts";
import type { RunStatus, ThresholdResult } from "./run.ts";
import { type ParsedThreshold, parseThreshold } from "./threshold-expression.ts";
import { causesOf, errorTotal, JOURNEY_STEP, type Window } from "./window.ts";

/** Aggregated figures of one step over some span of seconds (one run, or a sliding window). */
export interface StepTotals {
  count: number;
  errors: number;
  bytes: number;
  dropped: number;
  /** Target arrivals (sum of per-second target rates); journey step only. */
  target: number;
  /** Arrivals actually started; journey step only. */
  achieved: number;
  /** Failed requests by cause (dropped arrivals under `dropped`). */
  causes: CauseCounts;
  /** Successful requests' latency (every request's, in windows from before causes existed). */
  latency: Histogram;
  /** Failed requests' latency, kept apart so a fast refusal never passes a latency threshold. */
  failedLatency: Histogram;
}

export function emptyTotals(): StepTotals {
  return {
    count: 0,
    errors: 0,
    bytes: 0,
    dropped: 0,
    target: 0,
    achieved: 0,
    causes: {},
    latency: newHistogram(),
    failedLatency: newHistogram(),
  };
}

/** The fields of a window (or a stored roll-up) that step totals add up. */
export type TotalsInput = Pick<
  Window,
  | "step"
  | "count"
  | "errors"
  | "causes"
  | "bytes"
  | "dropped"
  | "targetRate"
  | "achievedRate"
  | "latency"
  | "failedLatency"
>;

/** A window's histograms already in memory (the generator's own), so they need no decoding. */
export interface DecodedHistograms {
  latency: Histogram;
  failedLatency?: Histogram | undefined;
}

/** Adds one window into per-step totals (mutates `totals`); `decoded` spares decoding its histograms. */
export function addWindow(
  totals: Map<string, StepTotals>,
  w: TotalsInput,
  decoded?: DecodedHistograms,
): void {
  let t = totals.get(w.step);
  if (!t) {
    t = emptyTotals();
    totals.set(w.step, t);
  }
  t.count += w.count;
  t.errors += errorTotal(w);
  t.bytes += w.bytes;
  t.dropped += w.dropped;
  t.target += w.targetRate;
  t.achieved += w.achievedRate;
  mergeCauses(t.causes, causesOf(w));
  addHistogram(t.latency, decoded?.latency ?? decodeHistogram(w.latency));
  if (w.failedLatency)
    addHistogram(t.failedLatency, decoded?.failedLatency ?? decodeHistogram(w.failedLatency));
}

/** Per-step totals of any set of windows; the hub and the generator aggregate the same way. */
export function totalsFromWindows(windows: Iterable<TotalsInput>): Map<string, StepTotals> {
  const totals = new Map<string, StepTotals>();
  for (const w of windows) addWindow(totals, w);
  return totals;
}

/** Requests of every step except the whole-journey step, summed. */
function requestTotals(totals: ReadonlyMap<string, StepTotals>): StepTotals | undefined {
  let sum: StepTotals | undefined;
  for (const [step, t] of totals) {
    if (step === JOURNEY_STEP) continue;
    sum ??= emptyTotals();
    sum.count += t.count;
    sum.errors += t.errors;
    sum.bytes += t.bytes;
    mergeCauses(sum.causes, t.causes);
    addHistogram(sum.latency, t.latency);
    addHistogram(sum.failedLatency, t.failedLatency);
  }
  return sum;
}

/** The measured value, in the threshold's unit; null when there is no data to judge. */
export function measure(t: ParsedThreshold, totals: ReadonlyMap<string, StepTotals>): number | null {
  const arrivals = t.metric === "achieved_rate" || t.metric === "dropped_rate" || t.metric === "dropped";
  const data =
    t.step !== undefined ? totals.get(t.step) : arrivals ? totals.get(JOURNEY_STEP) : requestTotals(totals);
  if (!data) return null;
  const h = data.latency;
  switch (t.metric) {
    case "error_rate":
      return data.count === 0 ? null : data.errors / data.count;
    case "achieved_rate":
      return data.target === 0 ? null : data.achieved / data.target;
    case "dropped_rate":
      return data.target === 0 ? null : data.dropped / data.target;
    case "dropped":
      return data.dropped;
    case "count":
      return data.count;
  }
  if (h.totalCount === 0) return null;
  const ms = (micros: number) => micros / 1000;
  if (t.percentile !== undefined) return ms(h.getValueAtPercentile(t.percentile));
  if (t.metric === "max") return ms(h.maxValue);
  if (t.metric === "min") return ms(h.minNonZeroValue);
  return ms(h.mean);
}

/** Whether `value` satisfies the threshold. No data never passes: a typo in a step name must not go green. */
export function holds(t: ParsedThreshold, value: number | null): boolean {
  if (value === null) return false;
  switch (t.op) {
    case "<":
      return value < t.limit;
    case "<=":
      return value <= t.limit;
    case ">":
      return value > t.limit;
    case ">=":
      return value >= t.limit;
  }
}

/** Evaluates a threshold over totals: the measured value and whether it held. */
export function evaluateThreshold(
  t: ParsedThreshold,
  totals: ReadonlyMap<string, StepTotals>,
): { value: number | null; ok: boolean } {
  const value = measure(t, totals);
  return { value, ok: holds(t, value) };
}

/**
 * Judges a run's thresholds (as its report lists them) afresh over `totals`: the hub's verdict of
 * a run split over workers, whose own reports judged their share only. An expression that no
 * longer parses fails with no value.
 */
export function judgeThresholds(
  thresholds: ReadonlyArray<Pick<ThresholdResult, "expression" | "abortOnFail">>,
  totals: ReadonlyMap<string, StepTotals>,
): ThresholdResult[] {
  return thresholds.map(({ expression, abortOnFail }) => {
    const parsed = parseThreshold(expression);
    const r = parsed.ok ? evaluateThreshold(parsed.threshold, totals) : { ok: false, value: null };
    return { expression, ok: r.ok, value: r.value, abortOnFail };
  });
}

/** Requests and failed requests over every step but the journey (whose count is journeys). */
export function requestCounts(totals: ReadonlyMap<string, StepTotals>): { requests: number; errors: number } {
  let requests = 0;
  let errors = 0;
  for (const [step, t] of totals) {
    if (step === JOURNEY_STEP) continue;
    requests += t.count;
    errors += t.errors;
  }
  return { requests, errors };
}

/** A run's figures for its verdict line: requests, errors, p95 checkout, failed thresholds. */
export function verdictFigures(
  totals: ReadonlyMap<string, StepTotals>,
  thresholds: ReadonlyArray<ThresholdResult>,
): string[] {
  // Counts only: no histogram of all requests is merged for a line that shows none.
  const { requests: count, errors } = requestCounts(totals);
  const checkout = totals.get("checkout");
  const parts = [`${count} requests`, `${count === 0 ? 0 : ((errors / count) * 100).toFixed(2)} % errors`];
  if (checkout && checkout.latency.totalCount > 0) {
    parts.push(`p95 checkout ${(checkout.latency.getValueAtPercentile(95) / 1000).toFixed(0)} ms`);
  }
  const failed = thresholds.filter((t) => !t.ok).map((t) => t.expression);
  if (failed.length > 0) parts.push(`thresholds failed: ${failed.join("; ")}`);
  return parts;
}

/** A run's plain-words verdict for managers ("failed: 1200 requests, 0.50 % errors, …"). */
export function verdictLine(
  status: RunStatus,
  totals: ReadonlyMap<string, StepTotals>,
  thresholds: ReadonlyArray<ThresholdResult>,
  extra?: string,
): string {
  return `${status}: ${[...verdictFigures(totals, thresholds), ...(extra ? [extra] : [])].join(", ")}`;
}

export {
  describeResult,
  formatLimit,
  formatMeasured,
  onFailureText,
  type ParsedThreshold,
  parseThreshold,
  stoppedEarlyText,
} from "./threshold-expression.ts";

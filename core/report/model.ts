/**
 * What a run report shows, built the same way from the same windows by the load generator (as
 * they arrive) and by the hub (from what it stored), so both render the same report. Pure.
 */
import { type CauseCounts, type CauseRow, causeRows, mergeCauses } from "../error-causes.ts";
import type { FaultChange } from "../faults.ts";
import { decodeHistogram, type Histogram, HistogramUnion, maxOf } from "../histogram.ts";
import type { FaultMarker, RunStatus, StoppedBy, ThresholdResult } from "../run.ts";
import { requestCounts, type StepTotals } from "../threshold.ts";
import type { RunVerdict } from "../verdict.ts";
import { errorTotal, JOURNEY_STEP, type Window } from "../window.ts";

/** The fields of a window (or a stored roll-up of `span` seconds) a report point needs. */
export type WindowFigures = Pick<
  Window,
  "step" | "count" | "errors" | "causes" | "dropped" | "targetRate" | "achievedRate" | "latency"
>;

/** One chart point: a second (or a bucket of `resolution` seconds) of the whole run. */
export interface ReportPoint {
  /** Start, Unix epoch seconds. */
  second: number;
  /** Arrivals per second: targeted, started, dropped. */
  target: number;
  achieved: number;
  dropped: number;
  /** Requests and failed requests per second (every step but the journey). */
  requests: number;
  errors: number;
  /** Successful requests' latency from the intended start, ms. */
  p50: number;
  p95: number;
  p99: number;
}

/** One row of the per-step table; latencies in ms, of successful requests (failed apart). */
export interface ReportStep {
  step: string;
  requests: number;
  errors: number;
  /** errors / requests, 0..1. */
  errorRate: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** p95 of failed requests' latency, ms; null when none failed. */
  failedP95: number | null;
}

/** Everything report.html shows. */
export interface ReportModel {
  runId: string;
  profile: string;
  target: string;
  status: RunStatus;
  verdict: string;
  /** Unix epoch ms. */
  startedAt: number;
  endedAt: number | null;
  plannedSeconds: number | null;
  requests: number;
  errors: number;
  errorRate: number;
  targetArrivals: number;
  achievedArrivals: number;
  dropped: number;
  /** Whole journeys from arrival to last response, think time included, ms. */
  journey: { p50: number; p95: number; p99: number } | null;
  breakpoint?: { highestRateHeld: number };
  thresholds: ThresholdResult[];
  /** The abort threshold that stopped the run before its end, when one did. */
  stoppedBy?: StoppedBy;
  faults: FaultMarker[];
  /**
   * Thresholds combined with the alerts that fired during the run, as the hub judged it; absent
   * when the report was made without the hub (the report then says so).
   */
  combinedVerdict?: RunVerdict;
  /**
   * Switches flipped on through the hub and still on when the run started (the hub knows them;
   * the generator does not), each as its last change before the start.
   */
  faultsAtStart?: FaultChange[];
  /** Seconds per chart point. */
  resolution: number;
  series: ReportPoint[];
  steps: ReportStep[];
  causes: CauseRow[];
}

/**
 * A fault marker's instant in epoch seconds. Generators report `at` as seconds into the run;
 * the hub's own fault log as epoch milliseconds or seconds, told apart by size.
 */
export function faultSecond(at: number, startedAtMs: number): number {
  if (at >= 1e12) return Math.floor(at / 1000);
  if (at >= 1e9) return at;
  return Math.floor(startedAtMs / 1000) + at;
}

const pct = (h: Histogram, p: number) => (h.totalCount === 0 ? 0 : h.getValueAtPercentile(p) / 1000);

/**
 * One chart point from the windows of one stretch of `span` seconds (any workers, any steps).
 * Rates divide by the span, so a per-minute roll-up gives per-second figures. `latencyOf` gives a
 * window's latency histogram: decoded from its wire encoding unless the caller holds it already.
 */
export function reportPoint<W extends WindowFigures>(
  second: number,
  windows: ReadonlyArray<W>,
  span = 1,
  latencyOf: (w: W) => Histogram = (w) => decodeHistogram(w.latency),
): ReportPoint {
  const requests = new HistogramUnion();
  const point: ReportPoint = {
    second,
    target: 0,
    achieved: 0,
    dropped: 0,
    requests: 0,
    errors: 0,
    p50: 0,
    p95: 0,
    p99: 0,
  };
  for (const w of windows) {
    if (w.step === JOURNEY_STEP) {
      point.target += w.targetRate;
      point.achieved += w.achievedRate;
      point.dropped += w.dropped;
      continue;
    }
    // One request window (a minute roll-up of one step): its histogram as it is, no copy.
    requests.add(latencyOf(w));
    point.requests += w.count;
    point.errors += errorTotal(w);
  }
  for (const key of ["target", "achieved", "dropped", "requests", "errors"] as const)
    point[key] = round3(point[key] / span);
  const merged = requests.result;
  if (merged) {
    point.p50 = pct(merged, 50);
    point.p95 = pct(merged, 95);
    point.p99 = pct(merged, 99);
  }
  return point;
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;

/** Per-step rows (journey excluded: it is shown apart) and the error-cause rows of step totals. */
export function reportSteps(totals: ReadonlyMap<string, StepTotals>): {
  steps: ReportStep[];
  causes: CauseRow[];
  journey: ReportModel["journey"];
} {
  const steps: ReportStep[] = [];
  const byStep: Record<string, CauseCounts> = {};
  const denominators: Record<string, number> = {};
  for (const [step, t] of [...totals].sort(([a], [b]) => a.localeCompare(b))) {
    byStep[step] = mergeCauses({}, t.causes);
    // A dropped arrival's share is of the arrivals targeted; a failure's, of the step's requests.
    denominators[step] = step === JOURNEY_STEP ? Math.round(t.target) : t.count;
    if (step === JOURNEY_STEP) continue;
    steps.push({
      step,
      requests: t.count,
      errors: t.errors,
      errorRate: t.count === 0 ? 0 : t.errors / t.count,
      p50: pct(t.latency, 50),
      p95: pct(t.latency, 95),
      p99: pct(t.latency, 99),
      max: t.latency.totalCount === 0 ? 0 : maxOf(t.latency) / 1000,
      failedP95: t.failedLatency.totalCount === 0 ? null : pct(t.failedLatency, 95),
    });
  }
  const j = totals.get(JOURNEY_STEP);
  const journey =
    j && j.latency.totalCount > 0
      ? { p50: pct(j.latency, 50), p95: pct(j.latency, 95), p99: pct(j.latency, 99) }
      : null;
  return { steps, causes: causeRows(byStep, denominators), journey };
}

/** Request totals over steps (journey excluded) and arrival totals from the journey step. */
export function reportTotals(
  totals: ReadonlyMap<string, StepTotals>,
): Pick<
  ReportModel,
  "requests" | "errors" | "errorRate" | "targetArrivals" | "achievedArrivals" | "dropped"
> {
  const { requests, errors } = requestCounts(totals);
  const j = totals.get(JOURNEY_STEP);
  return {
    requests,
    errors,
    errorRate: requests === 0 ? 0 : errors / requests,
    targetArrivals: Math.round(j?.target ?? 0),
    achievedArrivals: j?.achieved ?? 0,
    dropped: j?.dropped ?? 0,
  };
}

/** Groups windows into chart points of `resolution` seconds, oldest first. */
export function reportSeries(
  windows: ReadonlyArray<WindowFigures & { second: number; span?: number }>,
  resolution: number,
): ReportPoint[] {
  const buckets = new Map<number, Array<WindowFigures & { second: number; span?: number }>>();
  for (const w of windows) {
    const start = Math.floor(w.second / resolution) * resolution;
    const list = buckets.get(start) ?? [];
    list.push(w);
    buckets.set(start, list);
  }
  return [...buckets]
    .sort(([a], [b]) => a - b)
    .map(([start, list]) => {
      const covered = new Map<number, number>();
      for (const w of list) covered.set(w.second, Math.max(covered.get(w.second) ?? 0, w.span ?? 1));
      const seconds = [...covered.values()].reduce((a, b) => a + b, 0) || 1;
      return reportPoint(start, list, seconds);
    });
}

/** What a report says about a run besides its windows. */
export type ReportMeta = Pick<
  ReportModel,
  | "runId"
  | "profile"
  | "target"
  | "status"
  | "verdict"
  | "startedAt"
  | "endedAt"
  | "plannedSeconds"
  | "thresholds"
  | "stoppedBy"
  | "faults"
  | "breakpoint"
  | "combinedVerdict"
  | "faultsAtStart"
>;

/** The report of a run from its step totals and chart points; the generator and the hub both call this. */
export function buildReportModel(
  meta: ReportMeta,
  totals: ReadonlyMap<string, StepTotals>,
  series: ReadonlyArray<ReportPoint>,
  resolution: number,
): ReportModel {
  const { steps, causes, journey } = reportSteps(totals);
  const model: ReportModel = {
    ...meta,
    ...reportTotals(totals),
    journey,
    resolution,
    series: series.map((p) => ({
      second: p.second,
      target: p.target,
      achieved: p.achieved,
      dropped: p.dropped,
      requests: p.requests,
      errors: p.errors,
      p50: p.p50,
      p95: p.p95,
      p99: p.p99,
    })),
    steps,
    causes,
  };
  if (meta.breakpoint === undefined) delete model.breakpoint;
  if (meta.combinedVerdict === undefined) delete model.combinedVerdict;
  if (meta.faultsAtStart === undefined) delete model.faultsAtStart;
  return model;
}

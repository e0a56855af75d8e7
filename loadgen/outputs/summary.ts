import { type CauseCounts, type CauseRow, mergeCauses } from "../../core/error-causes.ts";
import { faultsAtStartText } from "../../core/faults-at-start.ts";
import { type LatencySummary, summarize } from "../../core/histogram.ts";
import { buildReportModel, type ReportModel, reportSteps } from "../../core/report/model.ts";
import type { FaultMarker, RunStatus, ThresholdResult } from "../../core/run.ts";
import { describeResult, formatMeasured, onFailureText, parseThreshold } from "../../core/threshold.ts";
import { type StepTotals, thresholdNoData } from "../../core/threshold-no-data.ts";
import { type RunVerdict, verdictStateLabels } from "../../core/verdict.ts";
import { JOURNEY_STEP } from "../../core/window.ts";
import type { WorkerLoss } from "../../core/worker-loss.ts";
import type { RunStats, SecondPoint } from "../run-stats.ts";

/** One step's figures; latencies (ms) are of successful requests, failed ones under `failed`. */
export interface StepSummary extends LatencySummary {
  /** Requests (journeys started, for the journey step). */
  requests: number;
  errors: number;
  errorRate: number;
  bytes: number;
  /** Failed requests by cause with the last message (dropped arrivals on the journey step). */
  causes: CauseCounts;
  /** Failed requests' latency, ms. */
  failed: LatencySummary;
}

/** The JSON summary of a run (written as summary.json; the HTML report renders the same data). */
export interface RunSummary {
  runId: string;
  profile: string;
  target: string;
  status: RunStatus;
  verdict: string;
  startedAt: number;
  endedAt: number;
  plannedSeconds: number;
  elapsedSeconds: number;
  requests: number;
  errors: number;
  errorRate: number;
  targetArrivals: number;
  achievedArrivals: number;
  dropped: number;
  /** Every failed request by step and cause, most frequent first (share of the step's requests). */
  causes: CauseRow[];
  /** Whole journeys from arrival to last response, think time included, ms. */
  journey: ReportModel["journey"];
  steps: Record<string, StepSummary>;
  thresholds: ThresholdResult[];
  abortedBy?: { expression: string; value: string } | { signal: string };
  breakpoint?: { highestRateHeld: number };
  faults: FaultMarker[];
  hub?: { sent: number; pending: number; discarded: number };
  /** Processes the run was split over (a split run only). */
  workers?: number;
  /** Workers that stopped before their share was done (status "degraded"). */
  workerLosses?: WorkerLoss[];
  /** Spread of the workers' actual wake-up at the common start instant (max − min), ms. */
  startSkewMs?: number;
  /**
   * The hub's verdict: thresholds combined with the alerts that fired during the run (state
   * `passed-with-incidents` when a critical one did). Absent when the run had no hub or the hub
   * could not say.
   */
  combinedVerdict?: RunVerdict;
  series: SecondPoint[];
  stepSeries: Record<string, [number, number, number, number][]>;
}

export interface SummaryInput {
  runId: string;
  profile: string;
  target: string;
  status: RunStatus;
  verdict: string;
  startedAt: number;
  endedAt: number;
  plannedSeconds: number;
  thresholds: ThresholdResult[];
  faults: FaultMarker[];
  abortedBy?: RunSummary["abortedBy"];
  breakpoint?: RunSummary["breakpoint"];
  hub?: RunSummary["hub"];
  combinedVerdict?: RunVerdict;
  workers?: number;
  workerLosses?: WorkerLoss[];
  startSkewMs?: number;
}

/** Builds the summary from the run's statistics. */
export function buildSummary(input: SummaryInput, stats: RunStats): RunSummary {
  const steps: Record<string, StepSummary> = {};
  let requests = 0;
  let errors = 0;
  for (const [step, t] of [...stats.totals].sort((a, b) => a[0].localeCompare(b[0]))) {
    steps[step] = {
      requests: t.count,
      errors: t.errors,
      errorRate: t.count === 0 ? 0 : t.errors / t.count,
      bytes: t.bytes,
      ...summarize(t.latency),
      causes: t.causes,
      failed: summarize(t.failedLatency),
    };
    if (step !== JOURNEY_STEP) {
      requests += t.count;
      errors += t.errors;
    }
  }
  const journey = stats.totals.get(JOURNEY_STEP);
  const report = reportSteps(stats.totals);
  return {
    ...input,
    elapsedSeconds: (input.endedAt - input.startedAt) / 1000,
    requests,
    errors,
    errorRate: requests === 0 ? 0 : errors / requests,
    targetArrivals: Math.round(journey?.target ?? 0),
    achievedArrivals: journey?.achieved ?? 0,
    dropped: journey?.dropped ?? 0,
    causes: report.causes,
    journey: report.journey,
    steps,
    series: stats.series,
    stepSeries: Object.fromEntries(stats.stepSeries),
  };
}

/** The report model of a finished run, as the hub builds it for the same run. */
export function reportModelOf(s: RunSummary, stats: RunStats): ReportModel {
  return buildReportModel(
    {
      runId: s.runId,
      profile: s.profile,
      target: s.target,
      status: s.status,
      verdict: s.verdict,
      startedAt: s.startedAt,
      endedAt: s.endedAt,
      plannedSeconds: s.plannedSeconds,
      thresholds: s.thresholds,
      ...(s.abortedBy && "expression" in s.abortedBy && !s.breakpoint ? { stoppedBy: s.abortedBy } : {}),
      faults: s.faults,
      breakpoint: s.breakpoint,
      combinedVerdict: s.combinedVerdict,
      faultsAtStart: s.combinedVerdict?.faultsAtStart,
    },
    stats.totals,
    stats.series,
    1,
  );
}

/**
 * The first end-of-run lines for the terminal. With the hub's combined verdict, that verdict
 * leads and the generator's own line is named for what it judges ("thresholds passed: …"), so a
 * "passed" never sits under "passed-with-incidents" as if it were the run's verdict.
 */
export function headlineLines(s: Pick<RunSummary, "status" | "verdict" | "combinedVerdict">): string[] {
  if (!s.combinedVerdict) return [s.verdict];
  const judged = s.status === "passed" || s.status === "failed" ? "thresholds" : "run";
  const atStart = faultsAtStartText(s.combinedVerdict.faultsAtStart ?? [], (ms) =>
    new Date(ms).toISOString(),
  );
  return [
    `verdict: ${verdictStateLabels[s.combinedVerdict.state]}: ${s.combinedVerdict.text}`,
    `${judged} ${s.verdict}`,
    ...(atStart ? [atStart] : []),
  ];
}

/**
 * The end-of-run lines for the terminal, one per threshold: pass or fail, measured and limit in
 * the threshold's unit, and why there was nothing to measure when there was not.
 */
export function thresholdLines(
  s: Pick<RunSummary, "thresholds" | "steps" | "requests"> & Partial<Pick<RunSummary, "abortedBy">>,
): string[] {
  const stoppedBy = s.abortedBy && "expression" in s.abortedBy ? s.abortedBy : undefined;
  const steps: Record<string, StepTotals> = {};
  const requests: StepTotals = { count: s.requests, causes: {} };
  for (const [step, t] of Object.entries(s.steps)) {
    steps[step] = { count: t.requests, causes: t.causes };
    if (step !== JOURNEY_STEP) mergeCauses(requests.causes, t.causes);
  }
  return s.thresholds.map((t) => {
    const d = describeResult(t.expression, t.value);
    const measured = t.value === null ? thresholdNoData(t.expression, steps, requests) : d.measured;
    const abort = t.abortOnFail ? `  [${onFailureText(t, stoppedBy)}]` : "";
    return `  ${t.ok ? "✔" : "✘"} ${t.expression}  measured ${measured} (limit ${d.limit})${abort}`;
  });
}

/** The end-of-run lines for the terminal: each failure cause with its count and share. */
export function causeLines(s: Pick<RunSummary, "causes">, limit = 10): string[] {
  if (s.causes.length === 0) return ["errors by cause: none"];
  const lines = s.causes
    .slice(0, limit)
    .map(
      (c) =>
        `  ✘ ${c.label} at ${c.step}: ${c.count} (${(c.share * 100).toFixed(2)} % of ${c.cause === "dropped" ? "arrivals" : "its requests"})${c.lastMessage ? ` – ${c.lastMessage}` : ""}`,
    );
  if (s.causes.length > limit) lines.push(`  … ${s.causes.length - limit} more causes in summary.json`);
  return ["errors by cause:", ...lines];
}

/** A threshold's measured value in its own unit ("912.5 ms", "1.20 %"), for people. */
export function formatThresholdValue(t: Pick<ThresholdResult, "expression" | "value">): string {
  const parsed = parseThreshold(t.expression);
  return parsed.ok ? formatMeasured(parsed.threshold, t.value) : String(t.value);
}

import type { RunView } from "../../core/api/runs.ts";
import type { FaultChange } from "../../core/faults.ts";
import {
  incidentCases,
  incidentErrors,
  verdictProperties,
  xmlEscape as xml,
} from "../../core/report/junit-alerts.ts";
import {
  buildReportModel,
  type ReportModel,
  type ReportPoint,
  reportSeries,
} from "../../core/report/model.ts";
import { renderReport } from "../../core/report/render.ts";
import { describeResult, totalsFromWindows } from "../../core/threshold.ts";
import type { RunVerdict } from "../../core/verdict.ts";
import type { WindowSummary } from "../../core/window.ts";
import { yieldToLoop } from "../event-loop.ts";
import { type Slice, sliceAsWindow } from "./slices.ts";

/** Everything a run report shows: the run, per-step summaries and request totals. */
export interface RunReportData {
  run: RunView;
  steps: Record<string, WindowSummary>;
  requests: WindowSummary;
  /** Thresholds combined with the alerts that fired during the run; absent when not known. */
  combinedVerdict?: RunVerdict;
}

/**
 * JUnit XML: one test case per threshold, so CI systems show which one failed (values in their
 * unit), and, when the verdict is known, one per alert that fired during the run.
 */
export function junitReport({ run, combinedVerdict }: RunReportData): string {
  const failures = run.thresholds.filter((t) => !t.ok).length;
  const seconds = run.endedAt ? (run.endedAt - run.startedAt) / 1000 : 0;
  const cases = run.thresholds.map((t) => {
    const d = describeResult(t.expression, t.value);
    const body = t.ok
      ? ""
      : `<failure message="${xml(`${t.expression} failed: measured ${d.measured} (limit ${d.limit})${t.abortOnFail ? ", aborts the run" : ""}`)}"/>`;
    return `    <testcase classname="peakwatch.${xml(run.profile)}" name="${xml(t.expression)}">${body}</testcase>`;
  });
  const alerts = combinedVerdict ? incidentCases(run.profile, combinedVerdict) : [];
  const errors = incidentErrors(combinedVerdict);
  const tests = run.thresholds.length + alerts.length;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="peakwatch" tests="${tests}" failures="${failures}" errors="${errors}" time="${seconds}">`,
    `  <testsuite name="${xml(run.runId)}" tests="${tests}" failures="${failures}" errors="${errors}" time="${seconds}">`,
    ...(combinedVerdict ? verdictProperties(combinedVerdict) : []),
    ...cases,
    ...alerts,
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}

/** Points a report chart may hold per line before the hub draws minute points instead. */
const MAX_SECOND_POINTS = 3600;

/** Chart points computed between yields: a long run's charts never hold the event loop for long. */
const POINTS_PER_TURN = 50;

/**
 * The report model of a stored run: the same functions the generator used for its own
 * report.html, over the windows the hub stored, so both reports agree. Seconds stay seconds
 * while the run is within raw retention and an hour long; otherwise points are minutes.
 * `totals`: the same data, coarser if it likes (hour merges of a long run), for the tables.
 * Yields to the event loop between slices of chart points.
 */
export async function reportModel(
  run: RunView,
  slices: ReadonlyArray<Slice>,
  combinedVerdict?: RunVerdict,
  totals: ReadonlyArray<Slice> = slices,
  faultsAtStart?: FaultChange[],
): Promise<ReportModel> {
  const seconds = new Set(slices.map((s) => s.second));
  const perSecond = slices.every((s) => s.span === 1) && seconds.size <= MAX_SECOND_POINTS;
  const resolution = perSecond ? 1 : 60;
  const byBucket = new Map<number, ReturnType<typeof sliceAsWindow>[]>();
  for (const s of slices) {
    const start = Math.floor(s.second / resolution) * resolution;
    const list = byBucket.get(start);
    if (list) list.push(sliceAsWindow(s));
    else byBucket.set(start, [sliceAsWindow(s)]);
  }
  const buckets = [...byBucket.keys()].sort((a, b) => a - b);
  const series: ReportPoint[] = [];
  for (let i = 0; i < buckets.length; i += POINTS_PER_TURN) {
    if (i > 0) await yieldToLoop();
    series.push(
      ...reportSeries(
        buckets.slice(i, i + POINTS_PER_TURN).flatMap((b) => byBucket.get(b)!),
        resolution,
      ),
    );
  }
  return buildReportModel(
    {
      runId: run.runId,
      profile: run.profile,
      target: run.target,
      status: run.status,
      verdict: run.verdict ?? run.status,
      startedAt: run.startedAt,
      endedAt: run.endedAt ?? null,
      plannedSeconds: run.plannedSeconds ?? null,
      thresholds: run.thresholds,
      ...(run.stoppedBy ? { stoppedBy: run.stoppedBy } : {}),
      faults: run.faults,
      combinedVerdict,
      ...(faultsAtStart ? { faultsAtStart } : {}),
    },
    totalsFromWindows(totals.map(sliceAsWindow)),
    series,
    resolution,
  );
}

/** report.html of a stored run: the renderer the load generator uses for its own report.html. */
export async function htmlReport(
  run: RunView,
  slices: ReadonlyArray<Slice>,
  combinedVerdict?: RunVerdict,
  totals: ReadonlyArray<Slice> = slices,
  faultsAtStart?: FaultChange[],
): Promise<string> {
  return renderReport(await reportModel(run, slices, combinedVerdict, totals, faultsAtStart));
}

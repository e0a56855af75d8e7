import {
  incidentCases,
  incidentErrors,
  verdictProperties,
  xmlEscape,
} from "../../core/report/junit-alerts.ts";
import type { ThresholdResult } from "../../core/run.ts";
import { describeResult } from "../../core/threshold-expression.ts";
import type { RunVerdict } from "../../core/verdict.ts";
import { describeWorkerLoss, type WorkerLoss } from "../../core/worker-loss.ts";

/**
 * JUnit XML with one test case per threshold, so CI shows which one failed, and, when the hub
 * gave a verdict, one per alert that fired during the run and the verdict as a property. A split
 * run has one more case, "all workers finished", failed (type "degraded") per worker lost.
 */
export function junitXml(
  runId: string,
  profile: string,
  results: ReadonlyArray<ThresholdResult>,
  seconds: number,
  verdict?: RunVerdict | null,
  losses?: ReadonlyArray<WorkerLoss>,
): string {
  const workerCase =
    losses === undefined
      ? []
      : [
          `    <testcase classname="peakwatch.${xmlEscape(profile)}" name="all workers finished" time="${seconds.toFixed(3)}">${losses
            .map((l) => `\n      <failure message="${xmlEscape(describeWorkerLoss(l))}" type="degraded"/>`)
            .join("")}${losses.length > 0 ? "\n    " : ""}</testcase>`,
        ];
  const failures = results.filter((r) => !r.ok).length + (losses && losses.length > 0 ? 1 : 0);
  const cases = results.map((r) => {
    const head = `    <testcase classname="peakwatch.${xmlEscape(profile)}" name="${xmlEscape(r.expression)}" time="${seconds.toFixed(3)}">`;
    if (r.ok) return `${head}</testcase>`;
    const d = describeResult(r.expression, r.value);
    const abort = r.abortOnFail ? ", aborts the run" : "";
    return `${head}\n      <failure message="threshold failed: ${xmlEscape(r.expression)} (measured ${xmlEscape(d.measured)}, limit ${xmlEscape(d.limit)}${abort})" type="threshold"/>\n    </testcase>`;
  });
  const alerts = verdict ? incidentCases(profile, verdict) : [];
  const errors = incidentErrors(verdict);
  const tests = results.length + alerts.length + workerCase.length;
  const properties = verdict ? verdictProperties(verdict) : [];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="peakwatch" tests="${tests}" failures="${failures}" errors="${errors}">`,
    `  <testsuite name="${xmlEscape(profile)} thresholds (run ${xmlEscape(runId)})" tests="${tests}" failures="${failures}" errors="${errors}" time="${seconds.toFixed(3)}">`,
    ...properties,
    ...cases,
    ...workerCase,
    ...alerts,
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}

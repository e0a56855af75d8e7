import type { ThresholdResult } from "../../core/run.ts";
import { describeResult } from "../../core/threshold-expression.ts";
import type { RunVerdict } from "../../core/verdict.ts";

const xmlEscape = (s: string) =>
  s.replace(
    /[<>&"']/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!,
  );

/**
 * One test case per alert that fired during the run (from the hub's verdict): a critical one is
 * an error (the run "passed with incidents"), named with the fault the profile injected if one
 * caused it; other severities are listed as passed test cases with their story.
 */
function incidentCases(profile: string, verdict: RunVerdict): string[] {
  return verdict.incidents.map((i) => {
    const when = new Date(i.at).toISOString();
    const name = `alert ${i.rule} (${i.severity}) ${i.valueText} at ${when}`;
    const head = `    <testcase classname="peakwatch.${xmlEscape(profile)}.alerts" name="${xmlEscape(name)}" time="0">`;
    const story = `${i.summary}${i.injectedFault ? ` (caused by the injected fault ${i.injectedFault})` : ""}`;
    if (i.severity !== "critical")
      return `${head}\n      <system-out>${xmlEscape(story)}</system-out>\n    </testcase>`;
    return `${head}\n      <error message="${xmlEscape(`critical alert fired during the run: ${i.rule} ${i.valueText}`)}" type="alert">${xmlEscape(story)}</error>\n    </testcase>`;
  });
}

/**
 * JUnit XML with one test case per threshold, so CI shows which one failed, and, when the hub
 * gave a verdict, one per alert that fired during the run and the verdict as a property.
 */
export function junitXml(
  runId: string,
  profile: string,
  results: ReadonlyArray<ThresholdResult>,
  seconds: number,
  verdict?: RunVerdict | null,
): string {
  const failures = results.filter((r) => !r.ok).length;
  const cases = results.map((r) => {
    const head = `    <testcase classname="peakwatch.${xmlEscape(profile)}" name="${xmlEscape(r.expression)}" time="${seconds.toFixed(3)}">`;
    if (r.ok) return `${head}</testcase>`;
    const d = describeResult(r.expression, r.value);
    const abort = r.abortOnFail ? ", aborts the run" : "";
    return `${head}\n      <failure message="threshold failed: ${xmlEscape(r.expression)} (measured ${xmlEscape(d.measured)}, limit ${xmlEscape(d.limit)}${abort})" type="threshold"/>\n    </testcase>`;
  });
  const alerts = verdict ? incidentCases(profile, verdict) : [];
  const errors = verdict ? verdict.incidents.filter((i) => i.severity === "critical").length : 0;
  const tests = results.length + alerts.length;
  const properties = verdict
    ? [
        "    <properties>",
        `      <property name="peakwatch.verdict" value="${xmlEscape(verdict.state)}"/>`,
        `      <property name="peakwatch.verdict.text" value="${xmlEscape(verdict.text)}"/>`,
        "    </properties>",
      ]
    : [];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="peakwatch" tests="${tests}" failures="${failures}" errors="${errors}">`,
    `  <testsuite name="${xmlEscape(profile)} thresholds (run ${xmlEscape(runId)})" tests="${tests}" failures="${failures}" errors="${errors}" time="${seconds.toFixed(3)}">`,
    ...properties,
    ...cases,
    ...alerts,
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}

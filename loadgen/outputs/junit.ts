import type { ThresholdResult } from "../../core/run.ts";

const xmlEscape = (s: string) =>
  s.replace(
    /[<>&"']/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!,
  );

/** JUnit XML with one test case per threshold, so CI shows which one failed. */
export function junitXml(
  runId: string,
  profile: string,
  results: ReadonlyArray<ThresholdResult>,
  seconds: number,
): string {
  const failures = results.filter((r) => !r.ok).length;
  const cases = results.map((r) => {
    const head = `    <testcase classname="peakwatch.${xmlEscape(profile)}" name="${xmlEscape(r.expression)}" time="${seconds.toFixed(3)}">`;
    if (r.ok) return `${head}</testcase>`;
    const measured = r.value === null ? "no data" : String(Number(r.value.toFixed(4)));
    return `${head}\n      <failure message="threshold failed: ${xmlEscape(r.expression)} (measured ${measured})" type="threshold"/>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="peakwatch" tests="${results.length}" failures="${failures}">`,
    `  <testsuite name="${xmlEscape(profile)} thresholds (run ${xmlEscape(runId)})" tests="${results.length}" failures="${failures}" time="${seconds.toFixed(3)}">`,
    ...cases,
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}

/**
 * The JUnit parts that carry a run's combined verdict: the load generator's thresholds.xml and the
 * hub's GET /runs/:id/report.xml both add them when the hub knows which alerts fired. Pure.
 */
import { faultsAtStartText } from "../faults-at-start.ts";
import type { RunVerdict } from "../verdict.ts";

/** Escapes text for XML element content and double-quoted attributes. */
export const xmlEscape = (s: string): string =>
  s.replace(
    /[<>&"']/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!,
  );

/**
 * One test case per alert that fired during the run (or was firing when it started): a critical one is an error (the run "passed
 * with incidents"), named with the fault the profile injected if one caused it; other severities
 * are passed test cases with their story.
 */
export function incidentCases(profile: string, verdict: RunVerdict): string[] {
  return verdict.incidents.map((i) => {
    const when = new Date(i.at).toISOString();
    const name = `alert ${i.rule} (${i.severity}) ${i.valueText} at ${when}`;
    const head = `    <testcase classname="peakwatch.${xmlEscape(profile)}.alerts" name="${xmlEscape(name)}" time="0">`;
    const story = `${i.summary}${i.injectedFault ? ` (caused by the injected fault ${i.injectedFault})` : ""}`;
    if (i.severity !== "critical")
      return `${head}\n      <system-out>${xmlEscape(story)}</system-out>\n    </testcase>`;
    const what = i.firingAtStart
      ? "critical alert already firing when the run started"
      : "critical alert fired during the run";
    return `${head}\n      <error message="${xmlEscape(`${what}: ${i.rule} ${i.valueText}`)}" type="alert">${xmlEscape(story)}</error>\n    </testcase>`;
  });
}

/** Critical alerts count as JUnit errors. */
export const incidentErrors = (verdict: RunVerdict | null | undefined): number =>
  verdict ? verdict.incidents.filter((i) => i.severity === "critical").length : 0;

/** The verdict's state and plain words as suite properties, and the faults already on at its start. */
export function verdictProperties(verdict: RunVerdict): string[] {
  const atStart = faultsAtStartText(verdict.faultsAtStart ?? [], (ms) => new Date(ms).toISOString());
  return [
    "    <properties>",
    `      <property name="peakwatch.verdict" value="${xmlEscape(verdict.state)}"/>`,
    `      <property name="peakwatch.verdict.text" value="${xmlEscape(verdict.text)}"/>`,
    ...(atStart ? [`      <property name="peakwatch.faultsAtStart" value="${xmlEscape(atStart)}"/>`] : []),
    "    </properties>",
  ];
}

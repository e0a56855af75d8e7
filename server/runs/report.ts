import type { RunView } from "../../core/api/runs.ts";
import type { WindowSummary } from "../../core/window.ts";

/** Everything a run report shows: the run, per-step summaries and request totals. */
export interface RunReportData {
  run: RunView;
  steps: Record<string, WindowSummary>;
  requests: WindowSummary;
}

const xml = (s: string) =>
  s.replace(
    /[<>&"']/g,
    (ch) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[ch]!,
  );
const html = xml;

/** JUnit XML: one test case per threshold, so CI systems show which one failed. */
export function junitReport({ run }: RunReportData): string {
  const failures = run.thresholds.filter((t) => !t.ok).length;
  const seconds = run.endedAt ? (run.endedAt - run.startedAt) / 1000 : 0;
  const cases = run.thresholds.map((t) => {
    const body = t.ok
      ? ""
      : `<failure message="${xml(`${t.expression} failed: measured ${t.value ?? "no data"}`)}"/>`;
    return `    <testcase classname="peakwatch.${xml(run.profile)}" name="${xml(t.expression)}">${body}</testcase>`;
  });
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="peakwatch" tests="${run.thresholds.length}" failures="${failures}" time="${seconds}">`,
    `  <testsuite name="${xml(run.runId)}" tests="${run.thresholds.length}" failures="${failures}" time="${seconds}">`,
    ...cases,
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}

const ms = (v: number) => `${v.toFixed(1)} ms`;
const pct = (v: number) => `${(v * 100).toFixed(2)} %`;

/** A self-contained HTML page: verdict, thresholds, per-step latency and errors. */
export function htmlReport({ run, steps, requests }: RunReportData): string {
  const rows = Object.entries(steps).map(
    ([step, s]) =>
      `<tr><td>${html(step)}</td><td>${s.count}</td><td>${pct(s.errorRate)}</td><td>${ms(s.latency.p50)}</td><td>${ms(s.latency.p95)}</td><td>${ms(s.latency.p99)}</td><td>${ms(s.latency.max)}</td></tr>`,
  );
  const thresholds = run.thresholds.map(
    (t) =>
      `<li class="${t.ok ? "ok" : "fail"}">${t.ok ? "✔" : "✘"} ${html(t.expression)} (${t.value ?? "no data"})</li>`,
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Peakwatch run ${html(run.runId)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}td,th{padding:.3rem .8rem;border-bottom:1px solid #ddd;text-align:right}td:first-child,th:first-child{text-align:left}.fail{color:#b00}.ok{color:#070}</style>
</head><body>
<h1>Run ${html(run.runId)}: ${html(run.status)}</h1>
<p>Profile <b>${html(run.profile)}</b> against ${html(run.target)}, started ${new Date(run.startedAt).toISOString()}${run.endedAt ? `, ended ${new Date(run.endedAt).toISOString()}` : ""}.</p>
${run.verdict ? `<p>${html(run.verdict)}</p>` : ""}
<p>${requests.count} requests, ${pct(requests.errorRate)} errors, p95 ${ms(requests.latency.p95)}, p99 ${ms(requests.latency.p99)}.</p>
<h2>Thresholds</h2><ul>${thresholds.join("") || "<li>none</li>"}</ul>
<h2>Steps</h2>
<table><thead><tr><th>step</th><th>count</th><th>errors</th><th>p50</th><th>p95</th><th>p99</th><th>max</th></tr></thead>
<tbody>${rows.join("\n")}</tbody></table>
</body></html>
`;
}

/**
 * report.html: the one renderer the load generator (report.html beside summary.json) and the
 * hub (GET /runs/:id/report.html) both use. Pure string building, no I/O; every figure carries
 * its unit.
 */
import { addCause, noLatencyReason } from "../error-causes.ts";
import { faultsAtStartText } from "../faults-at-start.ts";
import { describeResult, onFailureText } from "../threshold.ts";
import { type StepTotals, thresholdNoData } from "../threshold-no-data.ts";
import { verdictStateLabels } from "../verdict.ts";
import { escapeHtml as esc } from "./escape.ts";
import { faultSecond, type ReportModel } from "./model.ts";
import { type ChartMarker, svgChart } from "./svg-chart.ts";

const ms = (v: number) => `${v.toFixed(1)} ms`;
const pct = (v: number) => `${(v * 100).toFixed(2)} %`;
const perSecond = (v: number) => `${v.toFixed(1)} /s`;
const clock = (epochMs: number) => `${new Date(epochMs).toISOString().slice(11, 19)} UTC`;

/** Verdict background: green only when nothing went wrong, amber when customers were hurt anyway. */
function verdictColor(m: ReportModel): string {
  const state = m.combinedVerdict?.state ?? m.status;
  if (state === "passed") return "#dafbe1";
  if (state === "passed-with-incidents") return "#fff8c5";
  return "#ffebe9";
}

/** The combined verdict and the alerts that fired during the run, or why they are not known. */
function alertsSection(m: ReportModel): { verdict: string; section: string } {
  const v = m.combinedVerdict;
  if (!v)
    return {
      verdict: "",
      section:
        '<h2>Alerts during the run</h2><p data-alerts="unknown">Not known: this report was made without the hub\'s alert history.</p>',
    };
  const rows = v.incidents
    .map(
      (i) =>
        `<tr data-incident="${esc(i.rule)}" data-severity="${esc(i.severity)}"><td>${esc(i.rule)}</td><td>${esc(i.severity)}</td><td>${esc(i.valueText)}</td><td>${i.firingAtStart ? `before the run, ${clock(i.at)}` : clock(i.at)}</td><td>${i.injectedFault ? `injected fault ${esc(i.injectedFault)}` : i.firingAtStart ? "already firing when the run started" : "–"}</td><td>${esc(i.summary)}</td></tr>`,
    )
    .join("");
  return {
    verdict: `<p class="verdict combined" data-verdict="${esc(v.state)}"><strong>${esc(verdictStateLabels[v.state])}</strong>: ${esc(v.text)}</p>`,
    section: `<h2>Alerts during the run</h2><div class="scroll"><table data-table="alerts"><tr><th>alert</th><th>severity</th><th>value</th><th>fired at</th><th>cause</th><th>summary</th></tr>${rows || '<tr><td colspan="6">no alert fired during the run</td></tr>'}</table></div>`,
  };
}

/** Each step's requests and failures by cause, and all requests', to say why a figure is missing. */
function stepTotals(m: ReportModel): { steps: Record<string, StepTotals>; all: StepTotals } {
  const steps: Record<string, StepTotals> = {};
  const all: StepTotals = { count: m.requests, causes: {} };
  for (const s of m.steps) steps[s.step] = { count: s.requests, causes: {} };
  for (const c of m.causes) {
    const step = steps[c.step];
    if (!step) continue; // the journey's dropped arrivals are not requests
    addCause(step.causes, c.cause, c.count);
    addCause(all.causes, c.cause, c.count);
  }
  return { steps, all };
}

/** The self-contained HTML report of a run: verdict, thresholds, charts, errors by cause, steps. */
export function renderReport(m: ReportModel): string {
  const t0 = m.series[0]?.second ?? Math.floor(m.startedAt / 1000);
  const totals = stepTotals(m);
  const rel = (second: number) => second - t0;
  const atStart = faultsAtStartText(m.faultsAtStart ?? [], clock);
  const markers: ChartMarker[] = m.faults.map((f) => [
    Math.max(0, faultSecond(f.at, m.startedAt) - t0),
    `${f.action === "set" ? "▲" : "▼"} ${f.fault}`,
  ]);
  const line = (label: string, color: string, pick: (p: ReportModel["series"][number]) => number | null) => ({
    label,
    color,
    points: m.series.map((p) => [rel(p.second), pick(p)] as const),
  });
  const every = m.resolution > 1 ? ` (${m.resolution} s per point)` : "";
  const charts = [
    svgChart(
      "arrivals",
      `Arrivals${every}`,
      "/s",
      [
        line("target", "#888", (p) => p.target),
        line("achieved", "#1f6feb", (p) => p.achieved),
        line("dropped", "#d29922", (p) => p.dropped),
      ],
      markers,
    ),
    svgChart(
      "latency",
      `Request latency from intended start, successful requests${every}`,
      "ms",
      // A second without a successful request has no latency: a gap, not 0 ms.
      [
        line("p50", "#2da44e", (p) => (p.requests > p.errors ? p.p50 : null)),
        line("p95", "#d29922", (p) => (p.requests > p.errors ? p.p95 : null)),
        line("p99", "#cf222e", (p) => (p.requests > p.errors ? p.p99 : null)),
      ],
      markers,
      `nothing to chart: ${noLatencyReason(totals.all.count, totals.all.causes)}`,
    ),
    svgChart(
      "error-share",
      `Error share of all requests${every}`,
      "%",
      [line("errors", "#cf222e", (p) => (p.requests === 0 ? 0 : (p.errors / p.requests) * 100))],
      markers,
    ),
  ].join("\n");
  const thresholdRows = m.thresholds
    .map((t) => {
      const d = describeResult(t.expression, t.value);
      const measured =
        t.value === null ? thresholdNoData(t.expression, totals.steps, totals.all) : d.measured;
      return `<tr class="${t.ok ? "ok" : "bad"}" data-threshold="${esc(t.expression)}"><td>${t.ok ? "✔ held" : "✘ failed"}</td><td><code>${esc(t.expression)}</code></td><td>${esc(d.limit)}</td><td>${esc(measured)}</td><td>${esc(onFailureText(t, m.stoppedBy))}</td></tr>`;
    })
    .join("");
  const causeRows = m.causes
    .map(
      (c) =>
        `<tr data-cause="${esc(c.step)}|${esc(c.cause)}"><td>${esc(c.label)}</td><td>${esc(c.step)}</td><td>${c.count}</td><td>${pct(c.share)}</td><td>${esc(c.lastMessage ?? "")}</td></tr>`,
    )
    .join("");
  const stepRows = m.steps
    .map(
      (s) =>
        `<tr data-step="${esc(s.step)}"><td>${esc(s.step)}</td><td>${s.requests}</td><td>${s.errors} (${pct(s.errorRate)})</td>${
          s.requests > s.errors
            ? `<td>${ms(s.p50)}</td><td>${ms(s.p95)}</td><td>${ms(s.p99)}</td><td>${ms(s.max)}</td>`
            : `<td colspan="4">${esc(noLatencyReason(s.requests, totals.steps[s.step]?.causes))}</td>`
        }<td>${s.failedP95 === null ? "none failed" : ms(s.failedP95)}</td></tr>`,
    )
    .join("");
  const alerts = alertsSection(m);
  const lasted = m.endedAt === null ? "still running" : `${((m.endedAt - m.startedAt) / 1000).toFixed(0)} s`;
  const planned = m.plannedSeconds === null ? "" : ` of ${m.plannedSeconds.toFixed(0)} s planned`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Peakwatch run ${esc(m.runId)}: ${esc(m.profile)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2rem auto;max-width:900px;padding:0 1rem;color:#222}
h1{font-size:1.4rem}.verdict{font-size:1.1rem;padding:.6rem;border-radius:6px;background:${verdictColor(m)}}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;margin:1rem 0}td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:right}
td:first-child,th:first-child,td:nth-child(2),th:nth-child(2){text-align:left}tr.bad{color:#cf222e}
figure{margin:1.2rem 0}figcaption{font-weight:600;margin-bottom:.3rem}svg text{font-size:11px;fill:#555}
</style></head><body>
<h1>${esc(m.profile)} against ${esc(m.target)}</h1>
${alerts.verdict}<p class="verdict" data-status="${esc(m.status)}">${esc(m.verdict)}</p>
${atStart ? `<p data-faults-at-start>${esc(atStart)}</p>` : ""}
<p>Run <code>${esc(m.runId)}</code>, started ${new Date(m.startedAt).toISOString()}, ${lasted}${planned}.
${m.requests} requests, ${m.errors} failed (${pct(m.errorRate)}); arrivals ${m.achievedArrivals} of ${m.targetArrivals} targeted, ${m.dropped} dropped.
${m.journey ? `Journey duration including think time: p50 ${ms(m.journey.p50)}, p95 ${ms(m.journey.p95)}, p99 ${ms(m.journey.p99)}.` : ""}
${m.breakpoint ? `Highest rate that held: <strong>${m.breakpoint.highestRateHeld.toFixed(1)} journeys/s</strong>.` : ""}</p>
<h2>Thresholds</h2><div class="scroll"><table data-table="thresholds"><tr><th>result</th><th>expression</th><th>limit</th><th>measured</th><th>on failure</th></tr>${thresholdRows || '<tr><td colspan="5">none</td></tr>'}</table></div>
${alerts.section}
${charts}
<h2>Errors by cause</h2><div class="scroll"><table data-table="causes"><tr><th>cause</th><th>step</th><th>count</th><th>share of step</th><th>last message</th></tr>${causeRows || '<tr><td colspan="5">no failed requests</td></tr>'}</table></div>
<h2>Steps</h2><div class="scroll"><table data-table="steps"><tr><th>step</th><th>requests</th><th>failed</th><th>p50</th><th>p95</th><th>p99</th><th>max</th><th>failed p95</th></tr>${stepRows}</table></div>
<p>Latencies are of successful requests, from each request's intended start; failed requests' latency is shown apart. Requests ${perSecond((m.requests / Math.max(1, (m.endedAt ?? m.startedAt) - m.startedAt)) * 1000)} on average.</p>
</body></html>
`;
}

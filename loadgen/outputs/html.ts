import { formatThresholdValue, type RunSummary } from "./summary.ts";

const esc = (s: string) =>
  s.replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c]!);

interface Line {
  label: string;
  color: string;
  points: [number, number][];
}

/** An inline SVG line chart (no scripts, no external files: the report is one file). */
export function svgChart(
  title: string,
  unit: string,
  lines: ReadonlyArray<Line>,
  markers: ReadonlyArray<[number, string]> = [],
): string {
  const w = 860;
  const h = 220;
  const pad = { l: 56, r: 12, t: 24, b: 28 };
  const xs = lines.flatMap((l) => l.points.map((p) => p[0]));
  const ys = lines.flatMap((l) => l.points.map((p) => p[1]));
  if (xs.length === 0) return `<figure><figcaption>${esc(title)}</figcaption><p>no data</p></figure>`;
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs, x0 + 1);
  const y1 = Math.max(...ys, 1e-9) * 1.1;
  const sx = (x: number) => pad.l + ((x - x0) / (x1 - x0)) * (w - pad.l - pad.r);
  const sy = (y: number) => h - pad.b - (y / y1) * (h - pad.t - pad.b);
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => {
      const y = sy(y1 * f);
      return `<line x1="${pad.l}" x2="${w - pad.r}" y1="${y}" y2="${y}" stroke="#ddd"/><text x="${pad.l - 6}" y="${y + 4}" text-anchor="end">${fmt(y1 * f)}</text>`;
    })
    .join("");
  const ticks = [0, 0.5, 1]
    .map((f) => {
      const x = x0 + (x1 - x0) * f;
      return `<text x="${sx(x)}" y="${h - 8}" text-anchor="middle">${Math.round(x - x0)} s</text>`;
    })
    .join("");
  const paths = lines
    .map((l) => {
      const d = l.points
        .map((p, i) => `${i === 0 ? "M" : "L"}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`)
        .join("");
      return `<path d="${d}" fill="none" stroke="${l.color}" stroke-width="1.6"/>`;
    })
    .join("");
  const marks = markers
    .map(
      ([x, label]) =>
        `<line x1="${sx(x)}" x2="${sx(x)}" y1="${pad.t}" y2="${h - pad.b}" stroke="#b00" stroke-dasharray="4 3"/><text x="${sx(x) + 3}" y="${pad.t + 10}" fill="#b00">${esc(label)}</text>`,
    )
    .join("");
  const legend = lines.map((l) => `<span style="color:${l.color}">■ ${esc(l.label)}</span>`).join(" ");
  return `<figure><figcaption>${esc(title)} (${esc(unit)}) ${legend}</figcaption><svg viewBox="0 0 ${w} ${h}" width="100%" role="img" aria-label="${esc(title)}">${grid}${ticks}${marks}${paths}</svg></figure>`;
}

function fmt(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

/** The self-contained HTML report of a run: verdict, thresholds, charts, per-step table. */
export function htmlReport(s: RunSummary): string {
  const t0 = s.series[0]?.second ?? Math.floor(s.startedAt / 1000);
  const rel = (second: number) => second - t0;
  const markers: [number, string][] = s.faults.map((f) => [f.at, `${f.action} ${f.fault}`]);
  const series = (pick: (p: RunSummary["series"][number]) => number): [number, number][] =>
    s.series.map((p) => [rel(p.second), pick(p)]);
  const charts = [
    svgChart(
      "Arrival rate",
      "per second",
      [
        { label: "target", color: "#888", points: series((p) => p.target) },
        { label: "achieved", color: "#1f6feb", points: series((p) => p.achieved) },
        { label: "requests", color: "#2da44e", points: series((p) => p.requests) },
      ],
      markers,
    ),
    svgChart(
      "Latency from intended start",
      "ms",
      [
        { label: "p50", color: "#2da44e", points: series((p) => p.p50) },
        { label: "p95", color: "#d29922", points: series((p) => p.p95) },
        { label: "p99", color: "#cf222e", points: series((p) => p.p99) },
        { label: "service p99", color: "#8250df", points: series((p) => p.serviceP99) },
      ],
      markers,
    ),
    svgChart(
      "Errors and dropped arrivals",
      "per second",
      [
        { label: "errors", color: "#cf222e", points: series((p) => p.errors) },
        { label: "dropped", color: "#888", points: series((p) => p.dropped) },
      ],
      markers,
    ),
  ].join("\n");
  const thresholdRows = s.thresholds
    .map(
      (t) =>
        `<tr class="${t.ok ? "ok" : "bad"}"><td>${t.ok ? "✔" : "✘"}</td><td><code>${esc(t.expression)}</code></td><td>${esc(formatThresholdValue(t))}</td><td>${t.abortOnFail ? "abort" : ""}</td></tr>`,
    )
    .join("");
  const stepRows = Object.entries(s.steps)
    .map(
      ([name, st]) =>
        `<tr><td>${esc(name)}</td><td>${st.requests}</td><td>${(st.errorRate * 100).toFixed(2)} %</td><td>${st.p50.toFixed(1)}</td><td>${st.p95.toFixed(1)}</td><td>${st.p99.toFixed(1)}</td><td>${st.max.toFixed(1)}</td></tr>`,
    )
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Peakwatch run ${esc(s.runId)}: ${esc(s.profile)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2rem auto;max-width:900px;color:#222}
h1{font-size:1.4rem}.verdict{font-size:1.1rem;padding:.6rem;border-radius:6px;background:${s.status === "passed" ? "#dafbe1" : "#ffebe9"}}
table{border-collapse:collapse;width:100%;margin:1rem 0}td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:right}
td:first-child,th:first-child,td:nth-child(2){text-align:left}tr.bad{color:#cf222e}
figure{margin:1.2rem 0}figcaption{font-weight:600;margin-bottom:.3rem}svg text{font-size:11px;fill:#555}
</style></head><body>
<h1>${esc(s.profile)} against ${esc(s.target)}</h1>
<p class="verdict">${esc(s.verdict)}</p>
<p>Run <code>${esc(s.runId)}</code>, started ${new Date(s.startedAt).toISOString()}, ${s.elapsedSeconds.toFixed(0)} s of ${s.plannedSeconds.toFixed(0)} s planned.
${s.requests} requests, ${(s.errorRate * 100).toFixed(2)} % errors; arrivals ${s.achievedArrivals} of ${s.targetArrivals} targeted, ${s.dropped} dropped.
${s.breakpoint ? `Highest rate that held: <strong>${s.breakpoint.highestRateHeld.toFixed(1)} journeys/s</strong>.` : ""}</p>
<h2>Thresholds</h2><table><tr><th></th><th>expression</th><th>measured</th><th></th></tr>${thresholdRows}</table>
${charts}
<h2>Steps</h2><table><tr><th>step</th><th>requests</th><th>errors</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>max ms</th></tr>${stepRows}</table>
</body></html>
`;
}

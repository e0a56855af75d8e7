import { html, LitElement } from "lit";
import { customElement, property } from "lit/decorators.js";
import { type CauseRow, DROPPED } from "../../../core/error-causes.ts";
import type { FaultChange } from "../../../core/faults.ts";
import { JOURNEY_STEP } from "../../../core/names.ts";
import { verdictStateLabels } from "../../../core/verdict.ts";
import { hub } from "../api/hub-client.ts";
import type { RunDetail } from "../api/types.ts";
import { changeMarkers, runMarkers } from "../charts/run-markers.ts";
import { ApiTask } from "../controllers/api-task.ts";
import { formatDuration, formatMs, formatPercent, formatTime } from "../format.ts";
import { CauseBook } from "../live/cause-book.ts";
import { latencyGap, latencyHoles } from "../live/latency-gap.ts";
import { chartResolution } from "../live/resolution.ts";
import { RunSeries } from "../live/run-series.ts";
import { loadSeries } from "../live/series-loader.ts";
import { routeHref } from "../router.ts";
import { sharedStyles } from "../styles/shared.ts";
import type { ChartSeries } from "./pw-chart.ts";
import "./pw-chart.ts";
import "./pw-errors-table.ts";
import "./pw-faults-at-start.ts";
import { loadVerdict } from "./pw-run-verdict.ts";
import "./pw-run-workers.ts";
import "./pw-step-table.ts";

const latencySeries: ChartSeries[] = [
  { label: "p50", color: "--pw-chart-4" },
  { label: "p95", color: "--pw-chart-1" },
  { label: "p99", color: "--pw-chart-3" },
];
const rateSeries: ChartSeries[] = [
  { label: "target", color: "--pw-chart-2", dash: true },
  { label: "achieved", color: "--pw-chart-1" },
  { label: "dropped", color: "--pw-chart-5" },
];

/** One run after the fact: verdict, thresholds, per-step percentiles, charts, report downloads. */
@customElement("pw-run-detail")
export class PwRunDetail extends LitElement {
  static override styles = [sharedStyles];

  @property() runId = "";

  private readonly detail = new ApiTask(this, {
    task: async (signal) => {
      const id = this.runId;
      const detail = await hub.get<RunDetail>(`/runs/${encodeURIComponent(id)}`, undefined, signal);
      const series = new RunSeries();
      const [{ changes, active }, verdict] = await Promise.all([
        // Fault switches flipped by hand while the run went on: marked beside its own timeline;
        // and those already on when it started, named beside its verdict.
        hub.get<{ changes: FaultChange[]; active: FaultChange[] }>(
          "/faults/changes",
          {
            from: detail.run.startedAt,
            ...(detail.run.endedAt ? { to: detail.run.endedAt } : {}),
            activeAt: detail.run.startedAt,
          },
          signal,
        ),
        // Thresholds combined with the alerts that fired during the run; the page stands without it.
        loadVerdict(id, signal),
        loadSeries(hub, series, {
          runId: id,
          steps: [JOURNEY_STEP],
          resolution: chartResolution(detail.run),
          signal,
        }),
      ]);
      return { detail, series, changes, active, ...verdict };
    },
    args: () => [this.runId],
  });

  override render() {
    const value = this.detail.value;
    const id = this.runId;
    if (this.detail.error)
      return html`<h1>Run ${id}</h1><p class="error-text">${this.detail.error.message}</p>`;
    if (!value) return html`<h1>Run ${id}</h1><p class="muted">Loading…</p>`;
    const { run, steps } = value.detail;
    const markers = [...runMarkers(run.faults ?? [], run.startedAt), ...changeMarkers(value.changes)];
    const report = (kind: string) => hub.href(`/runs/${encodeURIComponent(id)}/report.${kind}`);
    const causes = causeRowsOf(steps);
    const latency = value.series.aligned(JOURNEY_STEP, ["p50", "p95", "p99"]);
    return html`<h1>Run <code>${id}</code></h1>
      <section class="panel">
        <div class="row">
          <span class="badge ${value.verdict?.state ?? run.status}" data-testid="run-state"
            >${value.verdict ? verdictStateLabels[value.verdict.state] : run.status}</span
          >
          <span>${run.profile}</span>
          <span class="muted">${run.target}</span>
          <span class="muted">started ${formatTime(run.startedAt)}</span>
          ${run.endedAt ? html`<span class="muted">lasted ${formatDuration((run.endedAt - run.startedAt) / 1000)}</span>` : null}
          <span class="spacer"></span>
          <a href=${routeHref("live", id)}>Live view</a>
        </div>
        <pw-run-verdict
          .run=${run}
          .detail=${value.detail}
          .verdict=${value.verdict}
          .verdictError=${value.verdictError}
          stateShown
        ></pw-run-verdict>
        <pw-faults-at-start .active=${value.active}></pw-faults-at-start>
        ${run.workers > 1 ? html`<p class="muted" data-testid="run-workers-count">split over ${run.workers} workers</p>` : null}
        <div class="row" role="group" aria-label="Download reports">
          <a class="button" href=${report("json")} download>JSON report</a>
          <a class="button" href=${report("xml")} download>JUnit XML</a>
          <a class="button" href=${report("html")} target="_blank" rel="noopener">HTML report</a>
        </div>
      </section>
      <div class="grid">
        <section class="panel">
          <pw-chart
            title="Journey latency"
            unit="ms"
            .series=${latencySeries}
            .data=${latency}
            .markers=${markers}
            gap=${latencyGap(latency, JOURNEY_STEP, causes)}
            note=${latencyHoles(latency, JOURNEY_STEP, causes)}
          ></pw-chart>
        </section>
        <section class="panel">
          <pw-chart
            title="Arrivals"
            unit="/s"
            .series=${rateSeries}
            .data=${value.series.aligned(JOURNEY_STEP, ["target", "achieved", "dropped"])}
            .markers=${markers}
          ></pw-chart>
        </section>
      </div>
      <pw-run-workers .run=${run}></pw-run-workers>
      <section class="panel" aria-label="Headline figures">
        <div class="row">
          <span data-testid="detail-requests">${value.detail.requests.count} requests</span>
          <span data-testid="detail-error-share" data-share=${value.detail.requests.errorRate}
            >errors ${formatPercent(value.detail.requests.errorRate)} of all requests${mostly(causes)}</span
          >
          <span>${p95Of("request p95", value.detail.requests.latency, " (successful)", "no request succeeded")}</span>
          ${
            steps[JOURNEY_STEP]
              ? html`<span
                >${p95Of("journey p95 incl. think time", steps[JOURNEY_STEP].latency, "", "no journey completed")}</span
              >`
              : null
          }
        </div>
      </section>
      <section class="panel" aria-label="Errors by cause">
        <h2>Errors by cause</h2>
        <pw-errors-table .rows=${causes}></pw-errors-table>
      </section>
      <section class="panel">
        <h2>Per step</h2>
        <pw-step-table .runs=${[{ label: id, steps }]}></pw-step-table>
      </section>`;
  }
}

/** "<what> 12.3 ms<after>", or `none` when nothing succeeded (an empty histogram reads 0 ms). */
function p95Of(what: string, latency: { count: number; p95: number }, after: string, none: string): string {
  return latency.count > 0 ? `${what} ${formatMs(latency.p95)}${after}` : none;
}

/** ", mostly HTTP 503" naming the most frequent failure cause; "" without failures. */
function mostly(causes: ReadonlyArray<CauseRow>): string {
  const top = causes.find((r) => r.cause !== DROPPED);
  return top ? `, mostly ${top.label}` : "";
}

/** The errors table of a finished run: every step's causes with their share of its requests. */
function causeRowsOf(steps: RunDetail["steps"]) {
  const book = new CauseBook();
  book.reset(steps, Number.POSITIVE_INFINITY);
  return book.rows();
}

declare global {
  interface HTMLElementTagNameMap {
    "pw-run-detail": PwRunDetail;
  }
}

import { html, LitElement } from "lit";
import { customElement, property } from "lit/decorators.js";
import { JOURNEY_STEP } from "../../../core/names.ts";
import { hub } from "../api/hub-client.ts";
import type { RunDetail } from "../api/types.ts";
import { runMarkers } from "../charts/run-markers.ts";
import { ApiTask } from "../controllers/api-task.ts";
import { formatDuration, formatTime } from "../format.ts";
import { chartResolution } from "../live/resolution.ts";
import { RunSeries } from "../live/run-series.ts";
import { loadSeries } from "../live/series-loader.ts";
import { routeHref } from "../router.ts";
import { sharedStyles } from "../styles/shared.ts";
import type { ChartSeries } from "./pw-chart.ts";
import "./pw-chart.ts";
import "./pw-run-verdict.ts";
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
      await loadSeries(hub, series, {
        runId: id,
        steps: [JOURNEY_STEP],
        resolution: chartResolution(detail.run),
        signal,
      });
      return { detail, series };
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
    const markers = runMarkers(run.faults ?? [], run.startedAt);
    const report = (kind: string) => hub.href(`/runs/${encodeURIComponent(id)}/report.${kind}`);
    return html`<h1>Run <code>${id}</code></h1>
      <section class="panel">
        <div class="row">
          <span class="badge ${run.status}">${run.status}</span>
          <span>${run.profile}</span>
          <span class="muted">${run.target}</span>
          <span class="muted">started ${formatTime(run.startedAt)}</span>
          ${run.endedAt ? html`<span class="muted">lasted ${formatDuration((run.endedAt - run.startedAt) / 1000)}</span>` : null}
          <span class="spacer"></span>
          <a href=${routeHref("live", id)}>Live view</a>
        </div>
        <pw-run-verdict .run=${run}></pw-run-verdict>
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
            .data=${value.series.aligned(JOURNEY_STEP, ["p50", "p95", "p99"])}
            .markers=${markers}
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
      <section class="panel">
        <h2>Per step</h2>
        <pw-step-table .runs=${[{ label: id, steps }]}></pw-step-table>
      </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pw-run-detail": PwRunDetail;
  }
}

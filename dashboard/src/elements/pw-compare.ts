import { html, LitElement } from "lit";
import { customElement, property } from "lit/decorators.js";
import { JOURNEY_STEP } from "../../../core/names.ts";
import { hub } from "../api/hub-client.ts";
import type { RunDetail } from "../api/types.ts";
import { ApiTask } from "../controllers/api-task.ts";
import { overlay } from "../live/overlay.ts";
import { chartResolution } from "../live/resolution.ts";
import { RunSeries } from "../live/run-series.ts";
import { loadSeries } from "../live/series-loader.ts";
import { routeHref } from "../router.ts";
import { sharedStyles } from "../styles/shared.ts";
import type { ChartSeries } from "./pw-chart.ts";
import "./pw-chart.ts";
import "./pw-run-verdict.ts";
import "./pw-step-table.ts";

/**
 * Two runs side by side: journey p95 and achieved rate overlaid on "seconds into the run",
 * per-step percentiles in one table, and each run's thresholds pass/fail.
 */
@customElement("pw-compare")
export class PwCompare extends LitElement {
  static override styles = [sharedStyles];

  @property() a = "";
  @property() b = "";

  private readonly data = new ApiTask(this, {
    task: async (signal) =>
      Promise.all(
        [this.a, this.b].map(async (id) => {
          const detail = await hub.get<RunDetail>(`/runs/${encodeURIComponent(id)}`, undefined, signal);
          const series = new RunSeries();
          await loadSeries(hub, series, {
            runId: id,
            steps: [JOURNEY_STEP],
            keys: ["p95", "achieved"],
            resolution: chartResolution(detail.run),
            signal,
          });
          return { id, detail, series };
        }),
      ),
    args: () => [this.a, this.b],
  });

  override render() {
    if (!this.a || !this.b) {
      return html`<h1>Compare runs</h1>
        <p>Pick two runs in <a href=${routeHref("history")}>History</a>.</p>`;
    }
    if (this.data.error)
      return html`<h1>Compare runs</h1><p class="error-text">${this.data.error.message}</p>`;
    const runs = this.data.value;
    if (!runs) return html`<h1>Compare runs</h1><p class="muted">Loading…</p>`;
    const [first, second] = runs as [(typeof runs)[0], (typeof runs)[0]];
    const series = (key: "p95" | "achieved"): ChartSeries[] => [
      { label: `${first.id} ${key}`, color: "--pw-chart-1" },
      { label: `${second.id} ${key}`, color: "--pw-chart-2" },
    ];
    const columns = (key: "p95" | "achieved") =>
      overlay(
        runs.map((r) => ({
          startSecond: r.detail.run.startedAt / 1000,
          columns: r.series.aligned(JOURNEY_STEP, [key]),
        })),
      );
    return html`<h1>Compare <code>${first.id}</code> and <code>${second.id}</code></h1>
      <div class="grid">
        <section class="panel">
          <pw-chart
            title="Journey p95, seconds into the run"
            unit="ms"
            relative
            .series=${series("p95")}
            .data=${columns("p95")}
          ></pw-chart>
        </section>
        <section class="panel">
          <pw-chart
            title="Achieved rate, seconds into the run"
            unit="/s"
            relative
            .series=${series("achieved")}
            .data=${columns("achieved")}
          ></pw-chart>
        </section>
      </div>
      <section class="panel">
        <h2>Percentiles per step</h2>
        <pw-step-table
          .runs=${runs.map((r) => ({ label: r.id, steps: r.detail.steps }))}
        ></pw-step-table>
      </section>
      <div class="grid">
        ${runs.map(
          (r) => html`<section class="panel">
            <h2><a href=${routeHref("run", r.id)}>${r.id}</a> · ${r.detail.run.profile}</h2>
            <pw-run-verdict .run=${r.detail.run}></pw-run-verdict>
          </section>`,
        )}
      </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pw-compare": PwCompare;
  }
}

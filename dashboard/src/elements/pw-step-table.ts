import { html, LitElement } from "lit";
import { customElement, property } from "lit/decorators.js";
import { noLatencyReason } from "../../../core/error-causes.ts";
import { JOURNEY_STEP } from "../../../core/names.ts";
import type { WindowSummary } from "../../../core/window.ts";
import { formatMs, formatPercent } from "../format.ts";
import { sharedStyles } from "../styles/shared.ts";

export interface StepColumn {
  label: string;
  steps: Record<string, WindowSummary>;
}

/**
 * Percentiles (ms, of successful requests) and errors per step for one run, or several side by
 * side (compare). Every figure carries its unit.
 */
@customElement("pw-step-table")
export class PwStepTable extends LitElement {
  static override styles = [sharedStyles];

  @property({ attribute: false }) runs: StepColumn[] = [];

  override render() {
    const steps = [...new Set(this.runs.flatMap((r) => Object.keys(r.steps)))].sort();
    const many = this.runs.length > 1;
    const figures = ["requests", "p50", "p95", "p99", "errors", "failed p95"];
    return html`<table data-testid="step-table">
      <thead>
        ${
          many
            ? html`<tr>
              <th></th>
              ${this.runs.map((r) => html`<th colspan=${figures.length} scope="colgroup">${r.label}</th>`)}
            </tr>`
            : null
        }
        <tr>
          <th scope="col">Step</th>
          ${this.runs.map(() => figures.map((f) => html`<th class="num" scope="col">${f}</th>`))}
        </tr>
      </thead>
      <tbody>
        ${steps.map(
          (step) => html`<tr>
            <th scope="row">${step}</th>
            ${this.runs.map((r) => this.cells(step, r.steps[step]))}
          </tr>`,
        )}
      </tbody>
    </table>`;
  }

  private cells(step: string, s: WindowSummary | undefined) {
    if (!s) return html`<td class="num muted" colspan="6">not run</td>`;
    const failed = s.failedLatency.count;
    // No successful request: no latency to show (a zero would read as "fast"), but why.
    const latency =
      s.latency.count === 0
        ? html`<td class="muted" colspan="3" data-testid="no-latency">${step === JOURNEY_STEP && s.count > 0 ? "no journey completed" : noLatencyReason(s.count, s.causes)}</td>`
        : html`<td class="num">${formatMs(s.latency.p50)}</td>
            <td class="num">${formatMs(s.latency.p95)}</td>
            <td class="num">${formatMs(s.latency.p99)}</td>`;
    return html`<td class="num">${s.count}</td>
      ${latency}
      <td class="num">${formatPercent(s.errorRate)}</td>
      <td class="num">${failed > 0 ? formatMs(s.failedLatency.p95) : "–"}</td>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pw-step-table": PwStepTable;
  }
}

import { css, html, LitElement } from "lit";
import { customElement, property } from "lit/decorators.js";
import { noLatencyReason } from "../../../core/error-causes.ts";
import { JOURNEY_STEP } from "../../../core/names.ts";
import type { WindowSummary } from "../../../core/window.ts";
import { formatMs, formatPercent } from "../format.ts";
import { sharedStyles } from "../styles/shared.ts";
import { stackedTable } from "../styles/stacked-table.ts";

export interface StepColumn {
  label: string;
  steps: Record<string, WindowSummary>;
}

/** The figures shown per step and run, in column order. */
const FIGURES = ["requests", "p50", "p95", "p99", "errors", "failed p95"] as const;

/**
 * Percentiles (ms, of successful requests) and errors per step for one run, or several side by
 * side (compare). Every figure carries its unit.
 *
 * Narrower than its columns need (a phone), each step becomes a block of figures, each under its
 * own label, instead of a table that scrolls sideways with the right columns out of sight; in a
 * comparison each run's figures follow a line naming the run.
 */
@customElement("pw-step-table")
export class PwStepTable extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .steps {
        container-type: inline-size;
      }
      .run-label {
        display: none;
      }
      /* A line above the whole journey's row; stacked (a phone), its heading sets it apart. */
      :where(tr.journey) > th,
      :where(tr.journey) > td {
        border-top: 2px solid var(--pw-border);
      }
      .note {
        display: block;
        font-weight: normal;
        font-size: 0.75rem;
      }
      /* One run's seven columns need about 34rem; two runs' thirteen about 60rem. */
      @container (max-width: 34rem) {
        ${stackedTable(".one")}
      }
      @container (max-width: 60rem) {
        ${stackedTable(".many")}
      }
    `,
  ];

  @property({ attribute: false }) runs: StepColumn[] = [];

  override render() {
    // Request steps by name, then the whole journey: its count is journeys, not requests.
    const steps = [...new Set(this.runs.flatMap((r) => Object.keys(r.steps)))].sort(
      (a, b) => Number(a === JOURNEY_STEP) - Number(b === JOURNEY_STEP) || a.localeCompare(b),
    );
    const many = this.runs.length > 1;
    return html`<div class="steps ${many ? "many" : "one"}">
      <table data-testid="step-table">
        <thead>
          ${
            many
              ? html`<tr>
                <th></th>
                ${this.runs.map((r) => html`<th colspan=${FIGURES.length} scope="colgroup">${r.label}</th>`)}
              </tr>`
              : null
          }
          <tr>
            <th scope="col">Step</th>
            ${this.runs.map(() => FIGURES.map((f) => html`<th class="num" scope="col">${f}</th>`))}
          </tr>
        </thead>
        <tbody>
          ${steps.map(
            (step) => html`<tr class=${step === JOURNEY_STEP ? "journey" : ""}>
              <th scope="row">${
                step === JOURNEY_STEP
                  ? html`whole journey <span class="muted note">count is journeys; latency includes think time</span>`
                  : step
              }</th>
              ${this.runs.map((r) => this.cells(step, r, many))}
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }

  private cells(step: string, run: StepColumn, many: boolean) {
    const s = run.steps[step];
    // Shown only when stacked, where no header row names the run.
    const runLabel = many ? html`<td class="run-label">${run.label}</td>` : null;
    if (!s) return html`${runLabel}<td class="num muted whole" colspan="6">not run</td>`;
    const failed = s.failedLatency.count;
    // No successful request: no latency to show (a zero would read as "fast"), but why.
    const latency =
      s.latency.count === 0
        ? html`<td class="muted wide" colspan="3" data-label="latency" data-testid="no-latency">${step === JOURNEY_STEP && s.count > 0 ? "no journey completed" : noLatencyReason(s.count, s.causes)}</td>`
        : html`<td class="num" data-label="p50">${formatMs(s.latency.p50)}</td>
            <td class="num" data-label="p95">${formatMs(s.latency.p95)}</td>
            <td class="num" data-label="p99">${formatMs(s.latency.p99)}</td>`;
    return html`${runLabel}<td class="num" data-label=${step === JOURNEY_STEP ? "journeys" : "requests"}>${s.count}</td>
      ${latency}
      <td class="num" data-label="errors">${formatPercent(s.errorRate)}</td>
      <td class="num" data-label="failed p95">${failed > 0 ? formatMs(s.failedLatency.p95) : "–"}</td>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pw-step-table": PwStepTable;
  }
}

import { css, html, LitElement, unsafeCSS } from "lit";
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
/**
 * The stacked layout under `scope`: no header row; per step a grid of three figures a line, each
 * under its label (`data-label`), the step's name and each run's label on lines of their own.
 */
function stacked(scope: string) {
  const s = unsafeCSS(scope);
  return css`
    ${s} thead {
      display: none;
    }
    ${s} table,
    ${s} tbody {
      display: block;
    }
    ${s} tr {
      display: grid;
      grid-template-columns: repeat(3, minmax(0, 1fr));
      gap: 0.35rem 0.75rem;
      padding: 0.5rem 0;
      border-bottom: 1px solid var(--pw-border);
    }
    ${s} th,
    ${s} td {
      display: block;
      border: 0;
      padding: 0;
      text-align: left;
    }
    ${s} th[scope="row"] {
      grid-column: 1 / -1;
      color: var(--pw-text);
      font-size: 0.95rem;
    }
    ${s} td.run-label {
      grid-column: 1 / -1;
      color: var(--pw-muted);
      font-weight: 600;
      overflow-wrap: anywhere;
    }
    ${s} td.wide {
      grid-column: span 2;
      white-space: normal;
    }
    ${s} td[data-label]::before {
      content: attr(data-label);
      display: block;
      color: var(--pw-muted);
      font-size: 0.75rem;
    }
  `;
}

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
      /* One run's seven columns need about 34rem; two runs' thirteen about 60rem. */
      @container (max-width: 34rem) {
        ${stacked(".one")}
      }
      @container (max-width: 60rem) {
        ${stacked(".many")}
      }
    `,
  ];

  @property({ attribute: false }) runs: StepColumn[] = [];

  override render() {
    const steps = [...new Set(this.runs.flatMap((r) => Object.keys(r.steps)))].sort();
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
            (step) => html`<tr>
              <th scope="row">${step}</th>
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
    return html`${runLabel}<td class="num" data-label="requests">${s.count}</td>
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

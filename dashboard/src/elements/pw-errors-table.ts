import { css, html, LitElement } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { CauseRow } from "../../../core/error-causes.ts";
import { formatPercent } from "../format.ts";
import { sharedStyles } from "../styles/shared.ts";
import { stackedTable } from "../styles/stacked-table.ts";

/**
 * Failed requests by cause and step, like Locust's Failures tab: cause, step, count, share of
 * the step's requests (of its arrivals, for dropped ones) and the last message seen.
 *
 * @csspart table - the table
 */
@customElement("pw-errors-table")
export class PwErrorsTable extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .scroll {
        container-type: inline-size;
      }
      td.message {
        /* Wide enough to read, never a letter per line. */
        min-width: 12rem;
        max-width: 24rem;
        overflow-wrap: anywhere;
      }
      /* Five columns, the message at least 12rem, need about 36rem: narrower (a phone), each
         cause is a block of labelled figures, the message over two columns. */
      @container (max-width: 36rem) {
        ${stackedTable(".scroll")}
        td.message {
          min-width: 0;
          max-width: none;
        }
      }
    `,
  ];

  @property({ attribute: false }) rows: ReadonlyArray<CauseRow> = [];

  override render() {
    if (this.rows.length === 0)
      return html`<p class="muted" data-testid="errors-table-empty">No failed requests.</p>`;
    return html`<div class="scroll">
      <table part="table" data-testid="errors-table">
        <thead>
          <tr>
            <th scope="col">Cause</th>
            <th scope="col">Step</th>
            <th class="num" scope="col">Count</th>
            <th class="num" scope="col">Share of step</th>
            <th scope="col">Last message</th>
          </tr>
        </thead>
        <tbody>
          ${this.rows.map(
            (r) => html`<tr data-cause=${r.cause} data-step=${r.step}>
              <td data-label="cause">${r.label}</td>
              <td data-label="step">${r.step}</td>
              <td class="num" data-label="count" data-testid="count">${r.count}</td>
              <td class="num" data-label="share of step">${formatPercent(r.share)}</td>
              <td class="message muted wide" data-label="last message">${r.lastMessage ?? ""}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pw-errors-table": PwErrorsTable;
  }
}

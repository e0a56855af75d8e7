import { html, LitElement } from "lit";
import { customElement, property } from "lit/decorators.js";
import { describeResult } from "../../../core/threshold-expression.ts";
import type { Run } from "../api/types.ts";
import { formatDuration } from "../format.ts";
import { sharedStyles } from "../styles/shared.ts";

/** A finished run's verdict in plain words and its thresholds with units, pass or fail, and which abort. */
@customElement("pw-run-verdict")
export class PwRunVerdict extends LitElement {
  static override styles = [sharedStyles];

  @property({ attribute: false }) run: Run | undefined;

  override render() {
    const run = this.run;
    if (!run) return null;
    const seconds = run.endedAt ? (run.endedAt - run.startedAt) / 1000 : undefined;
    const passed = run.status === "passed";
    return html`<div data-testid="verdict">
      <p>
        <strong class=${passed ? "ok" : "bad"}>${passed ? "Passed" : `Did not pass (${run.status})`}</strong>
        ${seconds !== undefined ? html`<span class="muted"> after ${formatDuration(seconds)}</span>` : null}
      </p>
      ${run.verdict ? html`<p data-testid="verdict-text">${run.verdict}</p>` : null}
      ${
        (run.thresholds ?? []).length > 0
          ? html`<table data-testid="thresholds">
            <thead>
              <tr>
                <th scope="col">Threshold</th>
                <th class="num" scope="col">Limit</th>
                <th class="num" scope="col">Measured</th>
                <th scope="col">Result</th>
                <th scope="col">On failure</th>
              </tr>
            </thead>
            <tbody>
              ${run.thresholds.map((t) => {
                const d = describeResult(t.expression, t.value);
                return html`<tr data-threshold=${t.expression}>
                  <td><code>${t.expression}</code></td>
                  <td class="num">${d.limit}</td>
                  <td class="num" data-testid="measured">${d.measured}</td>
                  <td><span class="badge ${t.ok ? "passed" : "failed"}">${t.ok ? "pass" : "fail"}</span></td>
                  <td>${t.abortOnFail ? "aborts the run" : "judged at the end"}</td>
                </tr>`;
              })}
            </tbody>
          </table>`
          : null
      }
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pw-run-verdict": PwRunVerdict;
  }
}

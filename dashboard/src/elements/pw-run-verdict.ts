import { html, LitElement } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { Run } from "../api/types.ts";
import { formatDuration } from "../format.ts";
import { sharedStyles } from "../styles/shared.ts";

/** A finished run's verdict in plain words and its thresholds, pass or fail. */
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
          ? html`<table>
            <thead>
              <tr>
                <th scope="col">Threshold</th>
                <th class="num" scope="col">Measured</th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              ${run.thresholds.map(
                (t) => html`<tr>
                  <td><code>${t.expression}</code></td>
                  <td class="num">${t.value === null ? "no data" : Number(t.value.toFixed(3))}</td>
                  <td><span class="badge ${t.ok ? "passed" : "failed"}">${t.ok ? "pass" : "fail"}</span></td>
                </tr>`,
              )}
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

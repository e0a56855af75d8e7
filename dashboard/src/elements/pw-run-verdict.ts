import { html, LitElement } from "lit";
import { customElement, property } from "lit/decorators.js";
import { describeResult, onFailureText } from "../../../core/threshold-expression.ts";
import { thresholdNoData } from "../../../core/threshold-no-data.ts";
import { type RunVerdict, verdictStateLabels } from "../../../core/verdict.ts";
import { hub } from "../api/hub-client.ts";
import type { Run, RunDetail } from "../api/types.ts";
import { formatDuration } from "../format.ts";
import { cardRows } from "../styles/card-rows.ts";
import { sharedStyles } from "../styles/shared.ts";
import { incidentList, incidentListStyles } from "./incident-list.ts";
import "./pw-table-scroll.ts";

/**
 * GET /runs/:id/verdict: the run's thresholds combined with the alerts that fired during it. A
 * page stands without it: a failed read comes back as its message (verdictError), not thrown.
 */
export async function loadVerdict(
  runId: string,
  signal: AbortSignal,
): Promise<{ verdict: RunVerdict | null; verdictError: string | undefined }> {
  try {
    const verdict = await hub.get<RunVerdict>(
      `/runs/${encodeURIComponent(runId)}/verdict`,
      undefined,
      signal,
    );
    return { verdict, verdictError: undefined };
  } catch (error) {
    if (signal.aborted) throw error;
    return { verdict: null, verdictError: error instanceof Error ? error.message : String(error) };
  }
}

/** "passed with incidents" → "Passed with incidents". */
const capitalized = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * A finished run's verdict in plain words: its thresholds combined with the alerts that fired
 * during it (passed, passed with incidents, failed), each alert with severity, value and time,
 * and the thresholds with units, pass or fail, and which abort. Without the combined verdict it
 * judges by thresholds alone and says the alerts are not known.
 */
@customElement("pw-run-verdict")
export class PwRunVerdict extends LitElement {
  static override styles = [
    sharedStyles,
    incidentListStyles,
    // On a phone each threshold is a card of labelled lines: five columns cut "On failure" off.
    cardRows("table.thresholds"),
  ];

  @property({ attribute: false }) run: Run | undefined;
  /** The run's per-step totals, to say why a threshold has no data; the table stands without them. */
  @property({ attribute: false }) detail: RunDetail | undefined;
  /** GET /runs/:id/verdict (loadVerdict); null or undefined until it is known. */
  @property({ attribute: false }) verdict: RunVerdict | null | undefined;
  /** Why the verdict could not be read, when it could not. */
  @property({ attribute: false }) verdictError: string | undefined;
  /** The page already shows the run's state as a badge: the verdict then does not repeat it. */
  @property({ type: Boolean }) stateShown = false;
  /** The page lists the run's alerts in a panel of its own: the verdict then only names them in its text. */
  @property({ type: Boolean }) incidentsShown = false;

  override render() {
    const run = this.run;
    if (!run) return null;
    const seconds = run.endedAt ? (run.endedAt - run.startedAt) / 1000 : undefined;
    const v = this.verdict;
    const passed = run.status === "passed";
    // Where the page shows the state badge (and how long the run lasted), none of it is repeated.
    const headline = this.stateShown
      ? null
      : html`<p>
          ${
            v
              ? html`<span class="badge ${v.state}" data-testid="verdict-state" data-state=${v.state}
                >${capitalized(verdictStateLabels[v.state])}</span
              >`
              : html`<strong class=${passed ? "ok" : "bad"}>${passed ? "Passed" : `Did not pass (${run.status})`}</strong>`
          }
          ${seconds !== undefined ? html`<span class="muted"> after ${formatDuration(seconds)}</span>` : null}
        </p>`;
    return html`<div data-testid="verdict">
      ${headline}
      ${
        v
          ? html`<p data-testid="combined-verdict">${v.text}</p>`
          : this.verdictError
            ? html`<p class="muted" data-testid="alerts-unknown">
                Alerts during the run: not known (${this.verdictError})
              </p>`
            : null
      }
      ${v && v.incidents.length > 0 && !this.incidentsShown ? incidentList(run.runId, v.incidents) : null}
      ${run.verdict ? html`<p class="muted" data-testid="verdict-text">${run.verdict}</p>` : null}
      ${
        (run.thresholds ?? []).length > 0
          ? html`<pw-table-scroll label="Thresholds"><table class="thresholds" data-testid="thresholds">
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
                  <td class="num" data-label="Limit">${d.limit}</td>
                  ${
                    t.value === null
                      ? // Words, not a figure: they wrap instead of widening the table past a phone.
                        html`<td class="muted" data-label="Measured" data-testid="measured">
                          ${thresholdNoData(t.expression, this.detail?.steps, this.detail?.requests)}
                        </td>`
                      : html`<td class="num" data-label="Measured" data-testid="measured">${d.measured}</td>`
                  }
                  <td><span class="badge ${t.ok ? "passed" : "failed"}">${t.ok ? "pass" : "fail"}</span></td>
                  <td data-label="On failure">${onFailureText(t, run.stoppedBy)}</td>
                </tr>`;
              })}
            </tbody>
          </table></pw-table-scroll>`
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

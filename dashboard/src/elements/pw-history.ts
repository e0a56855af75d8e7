import { css, html, LitElement } from "lit";
import { customElement, state } from "lit/decorators.js";
import { verdictStateLabels } from "../../../core/verdict.ts";
import { hub } from "../api/hub-client.ts";
import { listOf, type Run } from "../api/types.ts";
import { ApiTask } from "../controllers/api-task.ts";
import { formatDuration, formatTime } from "../format.ts";
import { routeHref } from "../router.ts";
import { cardRows } from "../styles/card-rows.ts";
import { sharedStyles } from "../styles/shared.ts";
import "./pw-table-scroll.ts";

/** History: every run, newest first; pick two to compare them side by side. */
@customElement("pw-history")
export class PwHistory extends LitElement {
  static override styles = [
    sharedStyles,
    // On a phone each run is a card of labelled lines instead of a row of seven columns.
    cardRows("table"),
    css`
      td.verdict {
        max-width: 28rem;
      }
      @media (max-width: 600px) {
        td.verdict {
          max-width: none;
        }
      }
    `,
  ];

  @state() private picked: string[] = [];

  private readonly runs = new ApiTask(this, {
    task: async (signal) =>
      listOf<Run>(await hub.get("/runs", { limit: 200 }, signal), "runs").sort(
        (a, b) => b.startedAt - a.startedAt,
      ),
    refreshMs: 15_000,
  });

  override render() {
    const runs = this.runs.value ?? [];
    const [a, b] = this.picked;
    return html`<h1>History</h1>
      <section class="panel">
        <div class="row">
          <span class="muted">Tick two runs to compare them.</span>
          ${
            a && b
              ? html`<a class="button" href=${routeHref("compare", "", { a, b })} data-testid="compare-link"
                >Compare ${a} with ${b}</a
              >`
              : html`<button disabled>Compare</button>`
          }
        </div>
        ${this.runs.error ? html`<p class="error-text">${this.runs.error.message}</p>` : null}
        <pw-table-scroll label="Runs"><table data-testid="runs-table">
          <thead>
            <tr>
              <th scope="col"><span class="visually-hidden">Compare</span></th>
              <th scope="col">Run</th>
              <th scope="col">Profile</th>
              <th scope="col">Started</th>
              <th scope="col">Length</th>
              <th scope="col">Status</th>
              <th scope="col">Verdict</th>
            </tr>
          </thead>
          <tbody>
            ${
              runs.length === 0
                ? html`<tr><td colspan="7" class="muted">No runs yet.</td></tr>`
                : runs.map((r) => this.row(r))
            }
          </tbody>
        </table></pw-table-scroll>
      </section>`;
  }

  private row(r: Run) {
    const checked = this.picked.includes(r.runId);
    // The verdict's state (thresholds and the alerts that fired) where the hub judged it, else the
    // status; the figures without the status they start with, which the badge already says.
    const shown = r.verdictState === undefined ? r.status : r.verdictState;
    const verdict = r.verdict ?? "";
    const figures = verdict.startsWith(`${r.status}: `) ? verdict.slice(r.status.length + 2) : verdict;
    return html`<tr>
      <td>
        <input
          type="checkbox"
          aria-label=${`Compare ${r.runId}`}
          .checked=${checked}
          @change=${(e: Event) => this.pick(r.runId, (e.target as HTMLInputElement).checked)}
        />
      </td>
      <td data-label="Run"><a href=${routeHref("run", r.runId)}>${r.runId}</a></td>
      <td data-label="Profile">${r.profile}</td>
      <td data-label="Started">${formatTime(r.startedAt)}</td>
      <td data-label="Length">${r.endedAt ? formatDuration((r.endedAt - r.startedAt) / 1000) : "–"}</td>
      <td data-label="Status">
        <span class="badge ${shown}" data-testid="history-state" data-state=${shown}
          >${r.verdictState === undefined ? r.status : verdictStateLabels[r.verdictState]}</span
        >
      </td>
      <td class="verdict" data-label="Verdict">${figures}</td>
    </tr>`;
  }

  /** Keeps the two most recent picks. */
  private pick(runId: string, on: boolean): void {
    const rest = this.picked.filter((id) => id !== runId);
    this.picked = on ? [...rest, runId].slice(-2) : rest;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pw-history": PwHistory;
  }
}

import { html, LitElement } from "lit";
import { customElement, property } from "lit/decorators.js";
import { RunWorkerListSchema, type RunWorkerView } from "../../../core/api/runs.ts";
import { exitCodeText } from "../../../core/run.ts";
import { describeWorkerLoss } from "../../../core/worker-loss.ts";
import { hub } from "../api/hub-client.ts";
import type { Run } from "../api/types.ts";
import { ApiTask } from "../controllers/api-task.ts";
import { formatAgo, formatTime } from "../format.ts";
import { cardRows } from "../styles/card-rows.ts";
import { sharedStyles } from "../styles/shared.ts";
import "./pw-table-scroll.ts";

const ACTIVE = new Set(["starting", "running"]);

/**
 * A split run's workers: why the run is degraded (each lost worker and the share of the schedule
 * it did not send), and each worker's state, process, heartbeat and exit as the hub supervises
 * them (GET /runs/:id/workers). Renders nothing for a one-process run with no losses.
 */
@customElement("pw-run-workers")
export class PwRunWorkers extends LitElement {
  // On a phone each worker is a card of labelled lines: five columns cut "Exit" off.
  static override styles = [sharedStyles, cardRows("table")];

  @property({ attribute: false }) run: Run | undefined;

  private readonly workers = new ApiTask<RunWorkerView[]>(this, {
    task: async (signal) => {
      const run = this.run;
      if (!run || (run.workers <= 1 && run.workerLosses.length === 0)) return [];
      const body = await hub.get(`/runs/${encodeURIComponent(run.runId)}/workers`, undefined, signal);
      return RunWorkerListSchema.parse(body).workers;
    },
    args: () => [this.run?.runId, this.run?.status],
  });

  override render() {
    const run = this.run;
    if (!run || (run.workers <= 1 && run.workerLosses.length === 0)) return null;
    const workers = this.workers.value ?? [];
    const now = Date.now();
    return html`<section class="panel" aria-labelledby="workers-title" data-testid="run-workers">
      <h2 id="workers-title">Workers (${run.workers})</h2>
      ${
        run.workerLosses.length > 0
          ? html`<ul class="error-text" data-testid="worker-losses">
            ${run.workerLosses.map((l) => html`<li>${describeWorkerLoss(l)}</li>`)}
          </ul>`
          : null
      }
      ${this.workers.error ? html`<p class="error-text">Workers: ${this.workers.error.message}</p>` : null}
      ${
        workers.length === 0
          ? html`<p class="muted">
            ${
              this.workers.status === "complete"
                ? "No worker records: this run's generators were not started by this hub, so it holds no heartbeats for them."
                : "Loading…"
            }
          </p>`
          : html`<pw-table-scroll label="Workers"><table data-testid="run-workers-table">
            <thead>
              <tr>
                <th scope="col">Worker</th>
                <th scope="col">State</th>
                <th scope="col">Process</th>
                <th scope="col">Last window</th>
                <th scope="col">Exit</th>
              </tr>
            </thead>
            <tbody>
              ${workers.map(
                (w) => html`<tr data-worker=${w.worker}>
                  <td>${w.worker} <span class="muted">(${w.index + 1} of ${run.workers})</span></td>
                  <td>
                    <span class="badge ${w.state}">${w.state}</span>
                    ${w.lostReason ? html`<div class="error-text">${w.lostReason}</div>` : null}
                  </td>
                  <td data-label="Process">${w.pid === null ? "pod" : html`pid ${w.pid}`}${w.host ? html` <span class="muted">on ${w.host}</span>` : null}</td>
                  <td data-label="Last window">
                    ${
                      w.lastSeenAt === null
                        ? html`<span class="muted">none yet</span>`
                        : ACTIVE.has(run.status)
                          ? formatAgo(w.lastSeenAt, now)
                          : formatTime(w.lastSeenAt)
                    }
                  </td>
                  <td data-testid="worker-exit" data-label="Exit">
                    ${w.exitCode === null ? "–" : exitCodeText(w.exitCode)}
                    ${
                      run.stoppedBy?.worker === w.worker
                        ? html`<div class="muted">stopped the run: ${run.stoppedBy.expression} was ${run.stoppedBy.value}</div>`
                        : null
                    }
                  </td>
                </tr>`,
              )}
            </tbody>
          </table></pw-table-scroll>`
      }
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pw-run-workers": PwRunWorkers;
  }
}

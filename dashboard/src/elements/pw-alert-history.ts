import { css, html, LitElement } from "lit";
import { customElement, state } from "lit/decorators.js";
import type { AlertEvent } from "../../../core/alert.ts";
import { hub } from "../api/hub-client.ts";
import { listOf } from "../api/types.ts";
import { ApiTask } from "../controllers/api-task.ts";
import { LiveController } from "../controllers/live-controller.ts";
import { formatLabels, formatTime } from "../format.ts";
import { cardRows } from "../styles/card-rows.ts";
import { sharedStyles } from "../styles/shared.ts";
import "./pw-table-scroll.ts";

/** Changes shown at first, and added by each "Show older". */
const PAGE = 25;
/** The most the hub gives in one read (GET /alerts/history?limit). */
const MAX_LIMIT = 1000;

/**
 * The alert history: every state change, newest first (GET /alerts/history), a page at a time so
 * a busy day does not make the Alerts view thousands of pixels long.
 */
@customElement("pw-alert-history")
export class PwAlertHistory extends LitElement {
  static override styles = [
    sharedStyles,
    // On a phone each change is a card: when, what, which alert, its labels broken anywhere.
    cardRows("table"),
    css`
      td.labels {
        overflow-wrap: anywhere;
      }
      @media (max-width: 600px) {
        td.when,
        td.change {
          display: inline-block;
        }
      }
    `,
  ];

  /** How many changes are shown; the hub is asked for one more page than that, to know if there are older. */
  @state() private shown = PAGE;

  private readonly history = new ApiTask(this, {
    task: async (signal) =>
      listOf<AlertEvent>(
        await hub.get("/alerts/history", { limit: Math.min(MAX_LIMIT, this.shown + PAGE) }, signal),
        "events",
      ).sort((a, b) => b.seq - a.seq),
    refreshMs: 30_000,
  });

  private showOlder(): void {
    this.shown = Math.min(MAX_LIMIT, this.shown + PAGE);
    void this.history.run();
  }
  private pending: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    // History rows have their own ids (not live seqs), so refetch after a burst of live events.
    new LiveController(this, {
      topics: () => ["alerts"],
      onMessage: (message) => {
        if (message.type !== "alert") return;
        clearTimeout(this.pending);
        this.pending = setTimeout(() => void this.history.run(), 500);
      },
      onReconnect: () => void this.history.run(),
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.pending);
  }

  override render() {
    const all = this.history.value ?? [];
    const events = all.slice(0, this.shown);
    const older = all.length > events.length;
    return html`<section class="panel" aria-labelledby="history-title">
      <h2 id="history-title">History</h2>
      ${this.history.error ? html`<p class="error-text">${this.history.error.message}</p>` : null}
      <pw-table-scroll label="Alert history"><table>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Change</th>
            <th scope="col">Alert</th>
          </tr>
        </thead>
        <tbody>
          ${
            events.length === 0
              ? html`<tr><td colspan="3" class="muted">Nothing yet.</td></tr>`
              : events.map(
                  (e) => html`<tr>
                  <td class="when">${formatTime(e.at)}</td>
                  <td class="change"><span class="badge ${e.kind}">${e.kind}</span></td>
                  <td class="labels">
                    <strong>${e.alert.rule}</strong> <span class="muted">(${e.alert.severity})</span>
                    ${e.alert.annotations.summary ? html`<div>${e.alert.annotations.summary}</div>` : null}
                    ${
                      e.alert.value !== null
                        ? html`<div data-testid="history-value">value ${e.alert.valueText ?? Number(e.alert.value.toFixed(4))}</div>`
                        : null
                    }
                    ${
                      e.kind === "resolved" && e.alert.annotations.resolution
                        ? html`<div class="muted">resolved: ${e.alert.annotations.resolution}</div>`
                        : null
                    }
                    <div class="muted">${formatLabels(e.alert.labels)}</div>
                  </td>
                </tr>`,
                )
          }
        </tbody>
      </table></pw-table-scroll>
      ${
        older
          ? html`<p>
              <span class="muted" data-testid="history-shown">Showing the latest ${events.length} changes</span>
              <button type="button" data-testid="history-older" @click=${() => this.showOlder()}>Show older</button>
            </p>`
          : null
      }
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pw-alert-history": PwAlertHistory;
  }
}

import { css, html, LitElement } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { Alert, AlertState } from "../../../core/alert.ts";
import { ApiError } from "../api/api-error.ts";
import { hub } from "../api/hub-client.ts";
import { atLeast } from "../api/roles.ts";
import { listOf, type Me } from "../api/types.ts";
import { ApiTask } from "../controllers/api-task.ts";
import { LiveController } from "../controllers/live-controller.ts";
import { formatAgo, formatLabels, formatTime } from "../format.ts";
import { AlertBook } from "../live/alert-book.ts";
import { cardRows } from "../styles/card-rows.ts";
import { sharedStyles } from "../styles/shared.ts";
import "./pw-alert-history.ts";
import "./pw-rules.ts";
import "./pw-silences.ts";
import "./pw-table-scroll.ts";

const filters: Array<{ label: string; states: AlertState[] }> = [
  { label: "Active", states: ["firing", "pending"] },
  { label: "Firing", states: ["firing"] },
  { label: "Pending", states: ["pending"] },
  { label: "Resolved", states: ["resolved"] },
  { label: "All", states: [] },
];

/** Silence durations offered, in seconds. */
const silenceChoices = [
  { label: "15 minutes", seconds: 900 },
  { label: "1 hour", seconds: 3600 },
  { label: "4 hours", seconds: 14_400 },
  { label: "1 day", seconds: 86_400 },
];

/**
 * Alerts: firing / pending / resolved with filters, acknowledge, silence for a chosen duration,
 * the silences in force (unsilence), the rules, and the history. Kept current by live alert events; refetched after a reconnect.
 */
@customElement("pw-alerts")
export class PwAlerts extends LitElement {
  static override styles = [
    sharedStyles,
    // On call, alerts are read on a phone: each alert a card with every column in view.
    cardRows("table"),
    css`
      .filters button[aria-pressed="true"] {
        background: var(--pw-accent);
        color: var(--pw-accent-text);
      }
      td.actions,
      td.since {
        white-space: nowrap;
      }
      .labels {
        font-family: var(--pw-mono);
        font-size: 0.8rem;
        overflow-wrap: anywhere;
      }
      @media (max-width: 600px) {
        td.actions {
          display: flex;
          flex-wrap: wrap;
          gap: 0.4rem;
          align-items: center;
          padding-top: 0.3rem;
        }
      }
    `,
  ];

  @property({ attribute: false }) me: Me | undefined;
  @state() private filter = 0;
  @state() private text = "";
  @state() private message = "";
  @state() private silenceFor: Record<string, number> = {};
  private readonly book = new AlertBook();

  private readonly alerts = new ApiTask(this, {
    task: async (signal) => {
      const alerts = listOf<Alert>(await hub.get("/alerts", undefined, signal), "alerts");
      this.book.reset(alerts);
      return alerts;
    },
  });

  constructor() {
    super();
    new LiveController(this, {
      topics: () => ["alerts"],
      onMessage: (message) => {
        if (message.type === "alert" && this.book.apply(message.event)) this.requestUpdate();
      },
      onReconnect: () => void this.alerts.run(),
    });
  }

  override render() {
    const { states } = filters[this.filter]!;
    const list = this.book.list(states, this.text);
    const counts = this.book.counts();
    const canAct = atLeast(this.me?.role, "engineer");
    return html`<h1>Alerts</h1>
      <section class="panel">
        <div class="row">
          <div class="row filters" role="group" aria-label="Filter by state">
            ${filters.map(
              (f, i) =>
                html`<button aria-pressed=${String(i === this.filter)} @click=${() => (this.filter = i)}>
                  ${f.label}
                </button>`,
            )}
          </div>
          <label class="inline"
            >Search
            <input
              type="search"
              .value=${this.text}
              @input=${(e: Event) => (this.text = (e.target as HTMLInputElement).value)}
              placeholder="rule, label or text"
          /></label>
          <span class="muted" data-testid="alert-counts"
            >${counts.firing} firing · ${counts.pending} pending · ${counts.resolved} resolved</span
          >
        </div>
        ${this.message ? html`<p role="status">${this.message}</p>` : null}
        ${this.alerts.error ? html`<p class="error-text" role="alert">${this.alerts.error.message}</p>` : null}
        <pw-table-scroll label="Alerts"><table data-testid="alerts-table">
          <thead>
            <tr>
              <th scope="col">State</th>
              <th scope="col">Alert</th>
              <th scope="col">Since</th>
              <th scope="col">Acknowledged</th>
              ${canAct ? html`<th scope="col">Actions</th>` : null}
            </tr>
          </thead>
          <tbody>
            ${
              list.length === 0
                ? html`<tr><td colspan="5" class="muted">No alerts match.</td></tr>`
                : list.map((a) => this.row(a, canAct))
            }
          </tbody>
        </table></pw-table-scroll>
      </section>
      <pw-silences .me=${this.me}></pw-silences>
      <pw-rules></pw-rules>
      <pw-alert-history></pw-alert-history>`;
  }

  private row(a: Alert, canAct: boolean) {
    // Each state has its own instant: a pending alert has not fired yet.
    const since = a.state === "resolved" ? a.resolvedAt : a.state === "firing" ? a.firedAt : a.activeAt;
    const silenceSeconds = this.silenceFor[a.fingerprint] ?? silenceChoices[1]!.seconds;
    return html`<tr data-fingerprint=${a.fingerprint} data-state=${a.state}>
      <td>
        <span class="badge ${a.state}">${a.state}</span>
        ${(a.silencedBy ?? []).length > 0 ? html`<div class="muted">silenced</div>` : null}
        ${a.inhibited ? html`<div class="muted">inhibited</div>` : null}
      </td>
      <td>
        <strong>${a.rule}</strong> <span class="muted">(${a.severity})</span>
        ${a.annotations.summary ? html`<div>${a.annotations.summary}</div>` : null}
        ${a.annotations.resolution ? html`<div class="muted" data-testid="resolution">resolved: ${a.annotations.resolution}</div>` : null}
        <div class="labels muted">${formatLabels(a.labels)}</div>
        ${a.value !== null ? html`<div class="muted" data-testid="alert-value">value ${a.valueText ?? Number(a.value.toFixed(4))}</div>` : null}
      </td>
      <td class="since" data-label="Since" title=${formatTime(since)}>${formatAgo(since, Date.now())}</td>
      <td data-testid="acknowledged-by" data-label="Acknowledged">
        ${a.acknowledgedBy ? html`by ${a.acknowledgedBy}<br /><span class="muted">${formatTime(a.acknowledgedAt)}</span>` : "–"}
      </td>
      ${
        canAct
          ? html`<td class="actions">
            ${
              a.state !== "resolved" && !a.acknowledgedBy
                ? html`<button @click=${() => void this.acknowledge(a)} aria-label=${`Acknowledge ${a.rule}`}>
                  Acknowledge
                </button>`
                : null
            }
            <label class="inline"
              ><span class="visually-hidden">Silence ${a.rule} for</span>
              <select
                aria-label=${`Silence ${a.rule} for`}
                @change=${(e: Event) =>
                  (this.silenceFor = {
                    ...this.silenceFor,
                    [a.fingerprint]: Number((e.target as HTMLSelectElement).value),
                  })}
              >
                ${silenceChoices.map(
                  (c) =>
                    html`<option value=${c.seconds} ?selected=${c.seconds === silenceSeconds}>${c.label}</option>`,
                )}
              </select></label
            >
            <button @click=${() => void this.silence(a, silenceSeconds)} aria-label=${`Silence ${a.rule}`}>
              Silence
            </button>
          </td>`
          : null
      }
    </tr>`;
  }

  private async acknowledge(a: Alert): Promise<void> {
    await this.act(async () => {
      const body = await hub.post<{ alert?: Alert } | Alert>(
        `/alerts/${encodeURIComponent(a.fingerprint)}/ack`,
      );
      const updated = body && "fingerprint" in body ? body : (body as { alert?: Alert })?.alert;
      if (updated)
        this.book.reset(this.book.list().map((x) => (x.fingerprint === updated.fingerprint ? updated : x)));
      else await this.alerts.run();
      this.message = `Acknowledged ${a.rule}.`;
    });
  }

  private async silence(a: Alert, seconds: number): Promise<void> {
    await this.act(async () => {
      const now = Date.now();
      await hub.post("/silences", {
        matchers: Object.entries(a.labels).map(([name, value]) => ({ name, op: "=", value })),
        startsAt: now,
        endsAt: now + seconds * 1000,
        comment: `silenced from the dashboard for ${a.rule}`,
      });
      this.message = `Silenced ${a.rule} (${formatLabels(a.labels)}) until ${formatTime(now + seconds * 1000)}; end it early under Silences.`;
      await Promise.all([this.alerts.run(), this.renderRoot.querySelector("pw-silences")?.reload()]);
    });
  }

  private async act(action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (error) {
      this.message =
        error instanceof ApiError ? `Failed: ${error.message}` : "Failed: the hub could not be reached.";
    }
    this.requestUpdate();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pw-alerts": PwAlerts;
  }
}

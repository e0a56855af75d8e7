import { css, html, LitElement } from "lit";
import { customElement, state } from "lit/decorators.js";
import type { AlertEvent } from "../../../core/alert.ts";
import { LiveController } from "../controllers/live-controller.ts";
import { formatLabels } from "../format.ts";
import { routeHref } from "../router.ts";
import { sharedStyles } from "../styles/shared.ts";

const MAX_NOTICES = 3;
/** A resolved notice stays this long, then goes by itself. */
export const RESOLVED_DISMISS_MS = 8000;
/** A firing notice goes by itself after this long (the Alerts view still lists the alert). */
export const FIRING_DISMISS_MS = 5 * 60 * 1000;

/**
 * The visible notice when an alert starts firing (or is re-announced as a reminder), on
 * whatever view is open. Announced to screen readers (role=alert); it turns into "resolved"
 * when the alert resolves and then dismisses itself, at most three at a time.
 */
@customElement("pw-alert-notice")
export class PwAlertNotice extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        position: fixed;
        right: 1rem;
        bottom: 1rem;
        display: grid;
        gap: 0.5rem;
        z-index: 20;
        max-width: min(26rem, calc(100vw - 2rem));
      }
      .notice {
        background: var(--pw-bad-bg);
        color: var(--pw-text);
        border: 2px solid var(--pw-bad);
        border-radius: var(--pw-radius);
        padding: 0.75rem;
        box-shadow: 0 4px 16px rgba(0, 0, 0, 0.25);
      }
      .notice strong {
        color: var(--pw-bad);
      }
      .notice.resolved {
        background: var(--pw-ok-bg);
        border-color: var(--pw-ok);
      }
      .notice.resolved strong {
        color: var(--pw-ok);
      }
      /* On a phone a floating notice would cover a third of the view (a whole panel): there the
         notices stand in the page above the view, pushing it down, and keep to their headline and
         buttons; the details are one tap away under Open alerts. */
      @media (max-width: 600px) {
        :host {
          position: static;
          max-width: none;
          gap: 0;
        }
        .notice {
          padding: 0.5rem;
          margin: 0.5rem 0.5rem 0;
          box-shadow: none;
        }
        .notice .muted {
          display: none;
        }
      }
    `,
  ];

  @state() private notices: AlertEvent[] = [];
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor() {
    super();
    new LiveController(this, {
      topics: () => ["alerts"],
      onMessage: (message) => {
        if (message.type !== "alert") return;
        const event = message.event;
        const fingerprint = event.alert.fingerprint;
        const shown = this.notices.some((n) => n.alert.fingerprint === fingerprint);
        if (event.kind === "firing" || event.kind === "reminder") {
          this.notices = [event, ...this.notices.filter((n) => n.alert.fingerprint !== fingerprint)].slice(
            0,
            MAX_NOTICES,
          );
          this.dismissLater(fingerprint, FIRING_DISMISS_MS);
        } else if (shown && (event.kind === "resolved" || event.kind === "acknowledged")) {
          // Update the notice in place: a stale "firing" toast is worse than none.
          this.notices = this.notices.map((n) => (n.alert.fingerprint === fingerprint ? event : n));
          if (event.kind === "resolved") this.dismissLater(fingerprint, RESOLVED_DISMISS_MS);
        }
      },
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private dismissLater(fingerprint: string, ms: number): void {
    clearTimeout(this.timers.get(fingerprint));
    this.timers.set(
      fingerprint,
      setTimeout(() => {
        this.timers.delete(fingerprint);
        this.notices = this.notices.filter((n) => n.alert.fingerprint !== fingerprint);
      }, ms),
    );
  }

  override render() {
    return this.notices.map(
      (event) => html`<div
        class="notice ${event.kind === "resolved" ? "resolved" : ""}"
        role="alert"
        data-testid="alert-notice"
        data-state=${event.kind}
      >
        <div>
          <strong
            >${
              event.kind === "resolved"
                ? "Alert resolved:"
                : event.kind === "reminder"
                  ? "Alert still firing:"
                  : event.kind === "acknowledged"
                    ? `Acknowledged by ${event.alert.acknowledgedBy ?? "someone"}:`
                    : "Alert firing:"
            }</strong
          >
          ${event.alert.rule} (${event.alert.severity})
        </div>
        ${event.alert.annotations.resolution ? html`<div class="muted">${event.alert.annotations.resolution}</div>` : null}
        <div class="muted">
          ${
            // A resolved alert's summary holds its last measured value (over the limit when the run
            // ended it): said so, so it does not read as a current breach.
            event.kind === "resolved" && event.alert.annotations.summary ? "last measured: " : ""
          }${event.alert.annotations.summary ?? formatLabels(event.alert.labels)}
        </div>
        ${
          // The run, unless the summary already names it.
          event.alert.labels.runId &&
          !(event.alert.annotations.summary ?? "").includes(event.alert.labels.runId)
            ? html`<div class="muted">run ${event.alert.labels.runId}</div>`
            : null
        }
        <div class="row" style="margin-top:0.5rem">
          <a href=${routeHref("alerts")} @click=${() => this.dismiss(event)}>Open alerts</a>
          <button @click=${() => this.dismiss(event)} aria-label=${`Dismiss notice for ${event.alert.rule}`}>
            Dismiss
          </button>
        </div>
      </div>`,
    );
  }

  private dismiss(event: AlertEvent): void {
    clearTimeout(this.timers.get(event.alert.fingerprint));
    this.timers.delete(event.alert.fingerprint);
    this.notices = this.notices.filter((n) => n !== event);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pw-alert-notice": PwAlertNotice;
  }
}

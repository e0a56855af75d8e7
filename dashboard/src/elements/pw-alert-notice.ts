import { css, html, LitElement } from "lit";
import { customElement, state } from "lit/decorators.js";
import type { AlertEvent } from "../../../core/alert.ts";
import { LiveController } from "../controllers/live-controller.ts";
import { formatLabels } from "../format.ts";
import { routeHref } from "../router.ts";
import { sharedStyles } from "../styles/shared.ts";

const MAX_NOTICES = 3;

/**
 * The visible notice when an alert starts firing, on whatever view is open. Announced to
 * screen readers (role=alert); stays until dismissed, at most three at a time.
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
    `,
  ];

  @state() private notices: AlertEvent[] = [];

  constructor() {
    super();
    new LiveController(this, {
      topics: () => ["alerts"],
      onMessage: (message) => {
        if (message.type !== "alert" || message.event.kind !== "firing") return;
        const fingerprint = message.event.alert.fingerprint;
        this.notices = [
          message.event,
          ...this.notices.filter((n) => n.alert.fingerprint !== fingerprint),
        ].slice(0, MAX_NOTICES);
      },
    });
  }

  override render() {
    return this.notices.map(
      (event) => html`<div class="notice" role="alert" data-testid="alert-notice">
        <div><strong>Alert firing:</strong> ${event.alert.rule} (${event.alert.severity})</div>
        <div class="muted">${event.alert.annotations.summary ?? formatLabels(event.alert.labels)}</div>
        ${event.alert.labels.runId ? html`<div class="muted">run ${event.alert.labels.runId}</div>` : null}
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
    this.notices = this.notices.filter((n) => n !== event);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pw-alert-notice": PwAlertNotice;
  }
}

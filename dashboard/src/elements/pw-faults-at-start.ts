import { css, html, LitElement } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { FaultChange } from "../../../core/faults.ts";
import { faultsAtStartText } from "../../../core/faults-at-start.ts";
import { formatTime } from "../format.ts";
import { sharedStyles } from "../styles/shared.ts";

/**
 * The fault switches already on when a run started (GET /faults/changes `active`), one line
 * beside its verdict: a run slowed by a fault switched on before it says so. Renders nothing
 * when none was on.
 */
@customElement("pw-faults-at-start")
export class PwFaultsAtStart extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      p {
        margin: 0.5rem 0 0;
        padding: 0.4rem 0.6rem;
        border-radius: 6px;
        overflow-wrap: anywhere;
      }
    `,
  ];

  @property({ attribute: false }) active: ReadonlyArray<FaultChange> = [];

  override render() {
    const text = faultsAtStartText(this.active, formatTime);
    return text ? html`<p class="warn" role="note" data-testid="faults-at-start">${text}</p>` : null;
  }
}

import { css, LitElement, svg } from "lit";
import { customElement, property } from "lit/decorators.js";

/** A tiny inline latency trend (SVG); failed checks are marked in red below the line. */
@customElement("pw-sparkline")
export class PwSparkline extends LitElement {
  static override styles = css`
    :host {
      display: inline-block;
      width: 160px;
      height: 36px;
    }
    svg {
      width: 100%;
      height: 100%;
      overflow: visible;
    }
    polyline {
      fill: none;
      stroke: var(--pw-chart-1);
      stroke-width: 1.5;
    }
    rect {
      fill: var(--pw-bad);
    }
  `;

  /** Values oldest first; null is a failed check (drawn as a red tick). */
  @property({ attribute: false }) values: Array<number | null> = [];
  @property() label = "";

  override render() {
    const values = this.values;
    const w = 160;
    const h = 30;
    const max = Math.max(1, ...values.filter((v): v is number => v !== null));
    const step = values.length > 1 ? w / (values.length - 1) : w;
    const points = values
      .map((v, i) => (v === null ? null : `${(i * step).toFixed(1)},${(h - (v / max) * h).toFixed(1)}`))
      .filter(Boolean)
      .join(" ");
    return svg`<svg viewBox="0 0 ${w} 36" role="img" aria-label=${this.label} preserveAspectRatio="none">
      <polyline points=${points}></polyline>
      ${values.map((v, i) => (v === null ? svg`<rect x=${i * step - 1} y="32" width="2" height="4"></rect>` : null))}
    </svg>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pw-sparkline": PwSparkline;
  }
}

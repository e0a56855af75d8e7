import { css, html, LitElement, nothing } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { Phases } from "../../../core/probe-result.ts";
import { formatMs } from "../format.ts";
import type { SkippedPhases } from "../format-phases.ts";

const phases = [
  { key: "dns", label: "DNS", color: "--pw-chart-3" },
  { key: "connect", label: "connect", color: "--pw-chart-2" },
  { key: "tls", label: "TLS", color: "--pw-chart-5" },
  { key: "firstByte", label: "first byte", color: "--pw-chart-1" },
  { key: "transfer", label: "transfer", color: "--pw-chart-4" },
] as const;

/**
 * One check's time split into phases (DNS, connect, TLS, first byte, transfer) as a stacked bar;
 * a phase the check did not have reads "–" with why as its tooltip, not "0.00 ms".
 */
@customElement("pw-phase-bar")
export class PwPhaseBar extends LitElement {
  static override styles = css`
    :host {
      display: block;
      font-size: 0.8rem;
    }
    .bar {
      display: flex;
      height: 0.8rem;
      border-radius: 3px;
      overflow: hidden;
      background: var(--pw-surface-2);
    }
    .legend {
      display: flex;
      flex-wrap: wrap;
      gap: 0.2rem 0.7rem;
      color: var(--pw-muted);
      margin-top: 0.2rem;
    }
    .dot {
      display: inline-block;
      width: 0.7em;
      height: 0.7em;
      border-radius: 2px;
      margin-right: 0.2rem;
    }
  `;

  @property({ attribute: false }) phases: Phases | undefined;
  /** Phases the check did not have, with why (skippedPhases). */
  @property({ attribute: false }) skipped: SkippedPhases = {};

  override render() {
    const p = this.phases;
    if (!p) return html`<span>–</span>`;
    const sum = phases.reduce((s, ph) => s + p[ph.key], 0) || 1;
    return html`<div class="bar" role="img" aria-label=${`total ${formatMs(p.total)}`}>
        ${phases.map(
          (ph) =>
            html`<span style="width:${(p[ph.key] / sum) * 100}%;background:var(${ph.color})" title=${ph.label}></span>`,
        )}
      </div>
      <div class="legend">
        ${phases.map(
          (ph) =>
            html`<span title=${this.skipped[ph.key] ?? nothing}
              ><span class="dot" style="background:var(${ph.color})"></span>${ph.label} ${
                this.skipped[ph.key] ? "–" : formatMs(p[ph.key])
              }</span
            >`,
        )}
      </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pw-phase-bar": PwPhaseBar;
  }
}

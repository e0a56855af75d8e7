import { css, html, LitElement } from "lit";
import { customElement } from "lit/decorators.js";
import type { ReadinessEntry, ReadinessView } from "../../../core/api/readiness.ts";
import { formatRate } from "../../../core/readiness.ts";
import { hub } from "../api/hub-client.ts";
import { ApiTask } from "../controllers/api-task.ts";
import { formatTime } from "../format.ts";
import { routeHref } from "../router.ts";
import { sharedStyles } from "../styles/shared.ts";
import "./pw-sparkline.ts";

/** Reads GET /readiness; throws on a shape the dashboard does not know (a hub of another version). */
function readReadiness(body: unknown): ReadinessView {
  const targets = (body as { targets?: unknown })?.targets;
  if (!Array.isArray(targets)) throw new Error("unexpected readiness answer from the hub");
  return body as ReadinessView;
}

/** The date a measurement was taken, with its year: verdicts are compared across releases. */
const measured = (iso: string) => formatTime(Date.parse(iso));

const ratio = (x: number) => `${(Math.floor(x * 10) / 10).toFixed(1)}×`;

/**
 * Will the shop survive the planned peak? Per measured target, the readiness verdict in one
 * sentence ("Ready: capacity 420 journeys/s, 1.6× the planned peak"), the headroom, the knee,
 * the shop's saturation at the knee, the load runs that are the evidence, the date measured,
 * and earlier measurements so a regression between releases shows.
 */
@customElement("pw-readiness")
export class PwReadiness extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .verdict {
        font-size: 1.4rem;
        font-weight: 700;
        margin: 0 0 0.5rem;
      }
      .headroom {
        font-size: 2.2rem;
        font-weight: 700;
        font-variant-numeric: tabular-nums;
      }
      dl {
        display: grid;
        grid-template-columns: auto 1fr;
        gap: 0.25rem 1rem;
        margin: 0.5rem 0;
      }
      dt {
        color: var(--pw-muted);
      }
      dd {
        margin: 0;
        font-variant-numeric: tabular-nums;
      }
      ul.runs {
        margin: 0.25rem 0 0;
        padding-left: 1.2rem;
      }
    `,
  ];

  private readonly readiness = new ApiTask(this, {
    task: async (signal) => readReadiness(await hub.get<unknown>("/readiness", undefined, signal)),
    refreshMs: 60_000,
  });

  private renderTarget(target: string, latest: ReadinessEntry, history: ReadinessEntry[]) {
    const good = latest.ready === true;
    const older = history.slice(1);
    return html`<section class="panel" data-testid="readiness-card" aria-label=${`Readiness of ${target}`}>
      <h2>Peak readiness: ${target}</h2>
      <p class="verdict ${latest.ready === null ? "muted" : good ? "ok" : "bad"}" data-testid="readiness-verdict">
        ${latest.verdict}
      </p>
      ${
        latest.headroom !== null
          ? html`<p>
              <span class="headroom ${good ? "ok" : "bad"}" data-testid="readiness-headroom">${ratio(latest.headroom)}</span>
              <span class="muted">capacity ÷ planned peak</span>
            </p>`
          : null
      }
      <dl>
        <dt>Capacity</dt>
        <dd>
          ${formatRate(latest.capacityJourneys)} journeys/s (${latest.capacityRequests} requests/s)${
            latest.confirmed ? ", confirmed by a repeated step" : ", not confirmed"
          }
        </dd>
        <dt>Planned peak</dt>
        <dd>
          ${latest.plannedPeak === null ? "not given" : `${formatRate(latest.plannedPeak)} journeys/s`}${
            latest.plannedFrom ? html` <span class="muted">from ${latest.plannedFrom}</span>` : null
          }
        </dd>
        ${
          latest.knee
            ? html`<dt>Breaks first</dt>
                <dd data-testid="readiness-knee">
                  ${latest.knee.slo} at ${formatRate(latest.knee.rate)} journeys/s (${latest.knee.value}${
                    latest.knee.step ? ` on ${latest.knee.step}` : ""
                  })
                </dd>`
            : null
        }
        ${
          latest.saturation.length > 0
            ? html`<dt>Shop at the knee</dt>
                <dd>${latest.saturation.map((s) => `${s.name} ${s.value}${s.unit ? ` ${s.unit}` : ""}`).join(", ")}</dd>`
            : null
        }
        <dt>Measured</dt>
        <dd data-testid="readiness-date">${measured(latest.measuredAt)}, SLOs ${latest.slos.join(", ")}</dd>
      </dl>
      <details open>
        <summary>Evidence: ${latest.steps.length} load run${latest.steps.length === 1 ? "" : "s"}</summary>
        <ul class="runs" data-testid="readiness-runs">
          ${latest.steps.map(
            (s) => html`<li>
              <a href=${routeHref("run", s.runId)}>${s.runId}</a>
              ${formatRate(s.rate)} journeys/s, ${s.purpose}:
              <span class=${s.ok ? "ok" : "bad"}>${s.ok ? "held" : `broke (${s.broken.map((b) => `${b.expression} was ${b.value}`).join("; ")})`}</span>
            </li>`,
          )}
        </ul>
      </details>
      ${
        older.length > 0
          ? html`<p data-testid="readiness-history">
              <span class="muted">Capacity over time</span>
              <pw-sparkline
                .values=${[...history].reverse().map((h) => h.capacityJourneys)}
                label="Capacity over time, journeys/s"
              ></pw-sparkline>
              <span class="muted"
                >Earlier: ${older
                  .slice(0, 3)
                  .map((h) => `${measured(h.measuredAt)}: ${formatRate(h.capacityJourneys)} journeys/s`)
                  .join("; ")}</span
              >
            </p>`
          : null
      }
    </section>`;
  }

  override render() {
    const view = this.readiness.value;
    if (this.readiness.error) return html`<p class="error-text">${this.readiness.error.message}</p>`;
    if (!view) return null;
    if (view.targets.length === 0)
      return html`<section class="panel" data-testid="readiness-empty">
        <h2>Peak readiness</h2>
        <p class="muted">
          No capacity measured yet. Run <code>peakwatch capacity --target URL --peak N</code> (or
          <code>--plan profile.yaml</code> from <code>peakwatch profile from-log</code>).
        </p>
      </section>`;
    return html`${view.targets.map((t) => this.renderTarget(t.target, t.latest, t.history))}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pw-readiness": PwReadiness;
  }
}

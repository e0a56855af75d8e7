import { css, html, LitElement } from "lit";
import { customElement } from "lit/decorators.js";
import { hub } from "../api/hub-client.ts";
import { listOf, type Run } from "../api/types.ts";
import { ApiTask } from "../controllers/api-task.ts";
import { LiveController } from "../controllers/live-controller.ts";
import { formatDuration, formatPercent, formatTime } from "../format.ts";
import { readSummary } from "../live/summary.ts";
import { routeHref } from "../router.ts";
import { sharedStyles } from "../styles/shared.ts";
import "./pw-run-verdict.ts";

/**
 * The manager summary: are the SLOs met now, how many incidents in 24 h and 7 days and how
 * long they took to resolve, and the latest run's verdict in plain words.
 */
@customElement("pw-summary")
export class PwSummary extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .big {
        font-size: 1.8rem;
        font-weight: 700;
      }
      dl {
        display: grid;
        grid-template-columns: auto 1fr;
        gap: 0.25rem 1rem;
        margin: 0;
      }
      dt {
        color: var(--pw-muted);
      }
      dd {
        margin: 0;
        font-variant-numeric: tabular-nums;
      }
    `,
  ];

  private readonly summary = new ApiTask(this, {
    task: async (signal) => readSummary(await hub.get<unknown>("/summary", undefined, signal)),
    refreshMs: 30_000,
  });

  private readonly latestRun = new ApiTask(this, {
    task: async (signal) =>
      listOf<Run>(await hub.get("/runs", { limit: 20 }, signal), "runs").sort(
        (a, b) => b.startedAt - a.startedAt,
      )[0],
  });

  constructor() {
    super();
    new LiveController(this, {
      topics: () => ["alerts", "runs"],
      onMessage: (message) => {
        if (message.type === "alert") void this.summary.run();
        if (message.type === "run") void this.latestRun.run();
      },
      onReconnect: () => void this.summary.run(),
    });
  }

  override render() {
    const s = this.summary.value;
    const run = this.latestRun.value;
    const allOk = s ? s.slos.every((slo) => slo.ok) && s.firing === 0 : undefined;
    return html`<h1>Summary</h1>
      ${this.summary.error ? html`<p class="error-text">${this.summary.error.message}</p>` : null}
      <div class="grid">
        <section class="panel" aria-labelledby="now-title" data-testid="slo-now">
          <h2 id="now-title">Right now</h2>
          ${
            s
              ? html`<p class="big ${allOk ? "ok" : "bad"}">
                  ${allOk ? "All objectives met" : `${s.firing} alert${s.firing === 1 ? "" : "s"} firing`}
                </p>
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Objective</th>
                      <th class="num" scope="col">Target</th>
                      <th class="num" scope="col">Now</th>
                      <th scope="col">Status</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${
                      s.slos.length === 0
                        ? html`<tr><td colspan="4" class="muted">No objectives defined.</td></tr>`
                        : s.slos.map(
                            (slo) => html`<tr>
                            <td>${slo.name}</td>
                            <td class="num">${slo.objective === null ? "–" : formatPercent(slo.objective)}</td>
                            <td class="num">${slo.current === null ? "–" : formatPercent(slo.current)}</td>
                            <td><span class="badge ${slo.ok ? "passed" : "failed"}">${slo.ok ? "met" : "breached"}</span></td>
                          </tr>`,
                          )
                    }
                  </tbody>
                </table>`
              : html`<p class="muted">Loading…</p>`
          }
        </section>
        <section class="panel" aria-labelledby="incidents-title" data-testid="incidents">
          <h2 id="incidents-title">Incidents</h2>
          ${
            s
              ? html`<dl>
                ${s.windows.map(
                  (w) => html`<dt>Last ${w.label}</dt>
                    <dd>
                      ${w.incidents} incident${w.incidents === 1 ? "" : "s"}${
                        w.meanSecondsToResolve !== null
                          ? html`, resolved in ${formatDuration(w.meanSecondsToResolve)} on average`
                          : ""
                      }
                    </dd>`,
                )}
              </dl>`
              : null
          }
        </section>
        <section class="panel" aria-labelledby="latest-title" data-testid="latest-run">
          <h2 id="latest-title">Latest load test</h2>
          ${
            run
              ? html`<p>
                  <a href=${routeHref("run", run.runId)}>${run.profile}</a>
                  <span class="muted">started ${formatTime(run.startedAt)}</span>
                </p>
                <pw-run-verdict .run=${run}></pw-run-verdict>`
              : html`<p class="muted">No load test has run yet.</p>`
          }
        </section>
      </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pw-summary": PwSummary;
  }
}

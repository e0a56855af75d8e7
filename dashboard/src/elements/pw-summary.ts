import { css, html, LitElement } from "lit";
import { customElement, state } from "lit/decorators.js";
import { hub } from "../api/hub-client.ts";
import { ApiTask } from "../controllers/api-task.ts";
import { LiveController } from "../controllers/live-controller.ts";
import { formatDuration, formatPercent, formatTime, nameParts } from "../format.ts";
import { readSummary, type SummaryView } from "../live/summary.ts";
import { routeHref } from "../router.ts";
import { cardRows } from "../styles/card-rows.ts";
import { sharedStyles } from "../styles/shared.ts";
import "./pw-readiness.ts";
import "./pw-table-scroll.ts";

const verdictWords: Record<string, string> = {
  running: "Running",
  passed: "Passed",
  "passed-with-incidents": "Passed with incidents",
  failed: "Failed",
  aborted: "Aborted",
  error: "Error",
};

/**
 * The manager summary in plain words: which alerts fire now (named, with severity and age),
 * whether each objective is met, breached or has no data, incidents in 24 h and 7 days, and
 * the latest finished load test of a chosen profile with its verdict (thresholds and alerts).
 */
@customElement("pw-summary")
export class PwSummary extends LitElement {
  static override styles = [
    sharedStyles,
    // On a phone each objective is a card of labelled lines: four columns cut its status badge off.
    cardRows("table.objectives"),
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
      /* "ran 12 s" keeps its figure and unit on one line. */
      .figure {
        white-space: nowrap;
      }
      /*
       * A long rule name wraps between its words (nameParts), so the status badge stays inside a
       * narrow card; "anywhere" broke it mid-word ("Checkou|tErrorBu|dgetBur|n").
       */
      td.objective {
        overflow-wrap: break-word;
      }
      /* In a narrow card the figures' headings wrap ("Target / success"), leaving the name room. */
      table.objectives th.num {
        white-space: normal;
      }
      /* On a phone, label-less cells (the name, the badge) stand alone; figures read left to right. */
      @media (max-width: 600px) {
        table.objectives td.num {
          text-align: left;
        }
        table.objectives td.objective {
          font-weight: 600;
        }
      }
      ul.firing {
        margin: 0 0 1rem;
        padding-left: 1.2rem;
      }
    `,
  ];

  /** The profile whose latest run to show; "" means the last run longer than a minute. */
  @state() private profile = "";

  private readonly summary = new ApiTask(this, {
    task: async (signal) =>
      readSummary(
        await hub.get<unknown>("/summary", this.profile ? { profile: this.profile } : undefined, signal),
      ),
    refreshMs: 30_000,
  });

  constructor() {
    super();
    new LiveController(this, {
      topics: () => ["alerts", "runs"],
      onMessage: (message) => {
        if (message.type === "alert" || message.type === "run") void this.summary.run();
      },
      onReconnect: () => void this.summary.run(),
    });
  }

  private renderNow(s: SummaryView) {
    const breached = s.slos.some((o) => o.status === "breached");
    const noData = s.slos.filter((o) => o.status === "no data").length;
    const headline =
      s.firing > 0
        ? `${s.firing} alert${s.firing === 1 ? "" : "s"} firing`
        : breached
          ? "Objectives breached"
          : s.slos.length === 0
            ? "No alert firing; no objectives set"
            : noData > 0 && noData === s.slos.length
              ? "No alert firing; objectives have no data yet"
              : noData > 0
                ? "No alert firing; some objectives have no data"
                : "All objectives met, no alert firing";
    const good = s.firing === 0 && !breached && noData === 0;
    return html`<p class="big ${good ? "ok" : s.firing > 0 || breached ? "bad" : "muted"}" data-testid="headline">
        ${headline}
      </p>
      ${
        s.firingAlerts.length > 0
          ? html`<ul class="firing" data-testid="firing-alerts">
            ${s.firingAlerts.map(
              (a) => html`<li>
                <strong>${a.rule}</strong> (${a.severity}), firing for
                ${a.firedAt === null ? "–" : formatDuration(Math.max(0, (Date.now() - a.firedAt) / 1000))}${
                  a.summary ? html`: <span class="muted">${a.summary}</span>` : null
                }${a.acknowledgedBy ? html` <span class="muted">(acknowledged by ${a.acknowledgedBy})</span>` : null}
              </li>`,
            )}
          </ul>`
          : null
      }
      <pw-table-scroll label="Objectives"><table class="objectives">
        <thead>
          <tr>
            <th scope="col">Objective</th>
            <th class="num" scope="col">Target success</th>
            <th class="num" scope="col">Success now</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          ${
            s.slos.length === 0
              ? html`<tr><td colspan="4" class="muted">No objectives defined.</td></tr>`
              : s.slos.map(
                  (slo) => html`<tr>
                    <td class="objective">${nameParts(slo.name).map((part, i) => (i === 0 ? part : html`<wbr />${part}`))}</td>
                    <td class="num" data-label="Target success">${slo.objective === null ? "–" : formatPercent(slo.objective)}</td>
                    <td class="num" data-label="Success now">${
                      slo.current === null
                        ? html`<span class="muted">not measured</span>`
                        : formatPercent(slo.current)
                    }</td>
                    <td>
                      <span class="badge ${slo.status === "met" ? "passed" : slo.status === "breached" ? "failed" : ""}"
                        >${slo.status}</span
                      >
                    </td>
                  </tr>`,
                )
          }
        </tbody>
      </table></pw-table-scroll>
      ${
        noData > 0
          ? html`<p class="muted" data-testid="no-data-why">
            Objectives are burn rates of load runs: they are measured only while a run is live.
          </p>`
          : null
      }`;
  }

  private renderLatest(s: SummaryView) {
    const run = s.latestRun;
    const v = run?.combined ?? null;
    return html`<label
        >Profile
        <select
          data-testid="latest-profile"
          @change=${(e: Event) => {
            this.profile = (e.target as HTMLSelectElement).value;
            void this.summary.run();
          }}
        >
          <option value="" ?selected=${this.profile === ""}>last run longer than one minute</option>
          ${s.profiles.map((p) => html`<option value=${p} ?selected=${this.profile === p}>${p}</option>`)}
        </select></label
      >
      ${
        run
          ? html`<p>
              <a href=${routeHref("run", run.runId)}>${run.profile}</a>
              <span class="muted">started ${formatTime(run.startedAt)}${
                run.endedAt
                  ? html`, ran <span class="figure">${formatDuration((run.endedAt - run.startedAt) / 1000)}</span>`
                  : ""
              }</span>
            </p>
            ${
              "rule" in s.latestRunChoice
                ? html`<p class="muted" data-testid="latest-rule">Showing ${s.latestRunChoice.rule}.</p>`
                : null
            }
            ${
              v
                ? html`<p data-testid="latest-verdict">
                    <strong class=${v.state === "passed" ? "ok" : "bad"}>${verdictWords[v.state] ?? v.state}</strong>
                  </p>
                  <p data-testid="latest-verdict-text">${v.text}</p>`
                : null
            }
            ${
              // The run's own figures: requests, errors, checkout p95, and a breakpoint run's capacity.
              run.verdict ? html`<p class="muted" data-testid="latest-run-figures">${run.verdict}</p>` : null
            }`
          : html`<p class="muted">No finished load test${this.profile ? ` of ${this.profile}` : " longer than a minute"} yet.</p>`
      }
      <p><a href=${routeHref("history")}>All runs</a></p>`;
  }

  override render() {
    const s = this.summary.value;
    return html`<h1>Summary</h1>
      ${this.summary.error ? html`<p class="error-text">${this.summary.error.message}</p>` : null}
      <div class="grid">
        <section class="panel" aria-labelledby="now-title" data-testid="slo-now">
          <h2 id="now-title">Right now</h2>
          ${s ? this.renderNow(s) : html`<p class="muted">Loading…</p>`}
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
                        w.open > 0 ? html`, <strong class="bad">${w.open} still open</strong>` : ""
                      }${
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
          ${s ? this.renderLatest(s) : null}
        </section>
      </div>
      <pw-readiness></pw-readiness>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pw-summary": PwSummary;
  }
}

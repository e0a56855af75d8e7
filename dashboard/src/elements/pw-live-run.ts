import { css, html, LitElement, type PropertyValues } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { Alert } from "../../../core/alert.ts";
import { noLatencyReason } from "../../../core/error-causes.ts";
import type { FaultChange } from "../../../core/faults.ts";
import { JOURNEY_STEP } from "../../../core/names.ts";
import { type RunVerdict, verdictStateLabels } from "../../../core/verdict.ts";
import { hub } from "../api/hub-client.ts";
import { listOf, type Me, type Run, type RunDetail } from "../api/types.ts";
import { changeMarkers, duringRun, runMarkers } from "../charts/run-markers.ts";
import { StepColors } from "../charts/step-colors.ts";
import { OTHER_COLOR, topSeries } from "../charts/top-series.ts";
import { ApiTask } from "../controllers/api-task.ts";
import { LiveController } from "../controllers/live-controller.ts";
import { formatDuration, formatMs, formatPercent, formatRate } from "../format.ts";
import { AlertBook } from "../live/alert-book.ts";
import { CauseBook } from "../live/cause-book.ts";
import { latencyGap, latencyHoles } from "../live/latency-gap.ts";
import type { LiveMessage, LiveWindowMessage } from "../live/messages.ts";
import { chartResolution } from "../live/resolution.ts";
import { RunSeries } from "../live/run-series.ts";
import { FINISHED } from "../live/run-status.ts";
import { loadSeries } from "../live/series-loader.ts";
import { ALL_REQUESTS, readStepFigures, type StepFigures, successLatency } from "../live/step-figures.ts";
import { finishedDetail, wholeRunP95 } from "../live/whole-run.ts";
import { routeHref } from "../router.ts";
import { sharedStyles } from "../styles/shared.ts";
import { stackedTable } from "../styles/stacked-table.ts";
import { incidentList, incidentListStyles } from "./incident-list.ts";
import type { ChartSeries } from "./pw-chart.ts";
import "./pw-chart.ts";
import "./pw-errors-table.ts";
import "./pw-faults-at-start.ts";
import "./pw-run-verdict.ts";

const LIVE_POINTS = 3600;
const rateSeries: ChartSeries[] = [
  { label: "target", color: "--pw-chart-2", dash: true },
  { label: "achieved", color: "--pw-chart-1" },
  { label: "dropped", color: "--pw-chart-5" },
];
const latencySeries: ChartSeries[] = [
  { label: "p50", color: "--pw-chart-4" },
  { label: "p95", color: "--pw-chart-1" },
  { label: "p99", color: "--pw-chart-3" },
];

/**
 * The live view of one run: target vs achieved arrivals, p50/p95/p99 per step, error rate,
 * dropped arrivals, fault markers (the run's timeline and switches flipped by hand) and the
 * run's alerts. Backfills from the REST series, then appends one point per second from the
 * live socket; after a reconnect it backfills again.
 *
 * Bound to one run: its series belong to that run id, and when the view moves to another run
 * (a new run started while following the newest) it starts new series, so no second of the
 * previous run is drawn in the next one's charts.
 */
@customElement("pw-live-run")
export class PwLiveRun extends LitElement {
  static override styles = [
    sharedStyles,
    incidentListStyles,
    css`
      .kpis {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr));
        gap: 0.5rem;
      }
      .kpi {
        background: var(--pw-surface-2);
        border-radius: var(--pw-radius);
        padding: 0.5rem 0.75rem;
      }
      .kpi .value {
        font-size: 1.3rem;
        font-weight: 700;
        font-variant-numeric: tabular-nums;
      }
      .kpi .why {
        font-size: 0.8rem;
      }
      .steps {
        container-type: inline-size;
      }
      /* Six columns need about 30rem: narrower (a phone), each step is a block of labelled figures. */
      @container (max-width: 30rem) {
        ${stackedTable(".steps")}
      }
    `,
  ];

  @property() runId = "";
  @property({ attribute: false }) me: Me | undefined;
  @state() private run: Run | undefined;
  @state() private step: string = JOURNEY_STEP;
  @state() private ticks = 0;
  /** With no run id: the run being followed (the newest, running first); a new run replaces it. */
  @state() private followed = "";
  /** One hour of live seconds at most: the bench shows that stays a fast redraw. */
  private series = new RunSeries(LIVE_POINTS);
  /** The run `series` and `changes` belong to; anything else is never drawn. */
  private seriesRun = "";
  /** Fault switches flipped by hand during the bound run. */
  @state() private changes: FaultChange[] = [];
  /** The switches already on when the run started (GET /faults/changes `active`). */
  @state() private active: FaultChange[] = [];
  private readonly alerts = new AlertBook();
  /** Each step's line colour in the error chart, kept for the life of the view (reloads reorder steps). */
  private readonly stepColors = new StepColors();
  /** Failed requests by step and cause for the errors table: REST totals, then live seconds. */
  private causes = new CauseBook();
  /**
   * While the bound run's figures reload (it ended, the socket came back): the live seconds
   * received meanwhile, put into the new figures once they are loaded. Until then the page keeps
   * drawing the old ones, so no tile shows a share of the few seconds that arrived first.
   */
  private reloading: LiveWindowMessage[] | undefined;

  /** With no run id, follow the newest run (running first). */
  private readonly runs = new ApiTask(this, {
    task: async (signal) => {
      if (this.runId) return [];
      const runs = listOf<Run>(await hub.get("/runs", { limit: 20 }, signal), "runs");
      const newest = runs.find((r) => !FINISHED.has(r.status)) ?? runs[0];
      if (newest) this.followed = newest.runId;
      return runs;
    },
    args: () => [this.runId === ""],
  });

  private readonly detail = new ApiTask(this, {
    task: async (signal) => {
      const id = this.currentId();
      // New series for every load: a load is for one run, and a reload (after a reconnect)
      // replaces the seconds it missed instead of mixing two fetches. Another run's figures go
      // at once; the same run's stay drawn until the new ones are whole (see `reloading`).
      const series = new RunSeries(LIVE_POINTS);
      const sameRun = this.seriesRun === id && id !== "";
      this.reloading = sameRun ? [] : undefined;
      if (!sameRun) {
        this.series = series;
        this.changes = [];
        this.active = [];
      }
      this.seriesRun = id;
      if (!id) return undefined;
      const detail = await hub.get<RunDetail>(`/runs/${encodeURIComponent(id)}`, undefined, signal);
      this.run = detail.run;
      const others = Object.keys(detail.steps ?? {}).filter((s) => s !== JOURNEY_STEP);
      // The history so far comes downsampled (about 600 points even for a long soak); live
      // seconds then append at one per second.
      const resolution = chartResolution(detail.run);
      // Arrival figures exist on the journey step only; other steps need latency and errors.
      const [changes] = await Promise.all([
        hub.get<{ changes: FaultChange[]; active: FaultChange[] }>(
          "/faults/changes",
          {
            from: detail.run.startedAt,
            ...(detail.run.endedAt ? { to: detail.run.endedAt } : {}),
            activeAt: detail.run.startedAt,
          },
          signal,
        ),
        loadSeries(hub, series, { runId: id, steps: [JOURNEY_STEP], resolution, signal }),
        loadSeries(hub, series, {
          runId: id,
          steps: others,
          keys: ["p50", "p95", "p99", "rate", "errors", "errorRate"],
          resolution,
          signal,
        }),
        // Every request merged: the headline tiles (request p95, error share of all requests).
        loadSeries(hub, series, {
          runId: id,
          steps: [ALL_REQUESTS],
          keys: ["p95", "rate", "errors"],
          resolution,
          signal,
        }),
      ]);
      if (this.seriesRun === id) {
        this.changes = changes.changes;
        this.active = changes.active;
        const causes = new CauseBook();
        causes.reset(detail.steps, series.seconds.at(-1) ?? Math.floor(detail.run.startedAt / 1000) - 1);
        for (const message of this.reloading ?? []) {
          series.put(message.second, stepFiguresOf(message));
          causes.put(message.second, message.steps);
        }
        this.reloading = undefined;
        this.series = series;
        this.causes = causes;
      }
      this.ticks += 1;
      return detail;
    },
    args: () => [this.currentId()],
  });

  /** A finished run's verdict (thresholds with the alerts that fired during it); the view stands without it. */
  private readonly verdict = new ApiTask<RunVerdict | null>(this, {
    task: async (signal) => {
      const id = this.currentId();
      if (!id || !this.run || !FINISHED.has(this.run.status)) return null;
      return hub.get<RunVerdict>(`/runs/${encodeURIComponent(id)}/verdict`, undefined, signal);
    },
    args: () => [this.currentId(), this.run?.status],
  });

  /** Every alert the engine holds (firing and recently resolved); the view keeps the run's own. */
  private readonly activeAlerts = new ApiTask(this, {
    task: async (signal) => {
      this.alerts.reset(listOf<Alert>(await hub.get("/alerts", undefined, signal), "alerts"));
      return true;
    },
  });

  constructor() {
    super();
    new LiveController(this, {
      topics: () => {
        const id = this.currentId();
        return id ? [`run:${id}`, "runs", "alerts"] : ["runs", "alerts"];
      },
      onMessage: (message) => this.receive(message),
      onReconnect: () => {
        // A run may have started while the socket was down: find the newest again.
        if (!this.runId) void this.runs.run();
        void this.detail.run();
        void this.activeAlerts.run();
      },
    });
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("runId")) {
      this.run = undefined;
      this.followed = "";
    }
    // Whatever belongs to another run is dropped before the render, never drawn.
    if (this.seriesRun !== this.currentId()) {
      this.series = new RunSeries(LIVE_POINTS);
      this.seriesRun = this.currentId();
      this.changes = [];
      this.active = [];
      this.causes = new CauseBook();
      if (this.run?.runId !== this.seriesRun) this.run = undefined;
    }
  }

  /** Why a figure has no latency; a finished run opened afterwards names its whole run's causes. */
  private noLatencyWhy(rate: number, step: string): string {
    const { causes, whole } = this.causes.causesFor(step);
    const reason = noLatencyReason(rate, causes);
    return whole && reason.includes(":") ? `${reason} in the whole run` : reason;
  }

  private currentId(): string {
    return this.runId || this.followed;
  }

  private receive(message: LiveMessage): void {
    const id = this.currentId();
    if (message.type === "window") {
      if (message.runId !== id || this.seriesRun !== id) return;
      this.reloading?.push(message);
      this.series.put(message.second, stepFiguresOf(message));
      this.causes.put(message.second, message.steps);
      this.ticks += 1;
    } else if (message.type === "run") {
      if (message.run.runId === id) {
        // The final totals (errors table, figures) once the run ends: reload them once.
        if (FINISHED.has(message.run.status) && !FINISHED.has(this.run?.status ?? "")) void this.detail.run();
        this.run = message.run;
      } else if (
        !this.runId &&
        !FINISHED.has(message.run.status) &&
        message.run.startedAt >= (this.run?.startedAt ?? 0)
      ) {
        // A new run started while following the newest: bind to it (willUpdate starts new charts).
        this.followed = message.run.runId;
      }
    } else if (message.type === "fault") {
      if (this.run && !FINISHED.has(this.run.status) && duringRun(message.change, this.run))
        this.changes = [...this.changes, message.change];
    } else if (message.type === "alert") {
      if (this.alerts.apply(message.event)) this.requestUpdate();
    }
  }

  /**
   * The alerts this page shows: while the run goes on, its own firing alerts and those not tied
   * to any run (a probe, the shop); once it has finished, only its own, whatever their state.
   */
  private runAlerts(id: string, finished: boolean): Alert[] {
    if (finished)
      return this.alerts.list(["firing", "pending", "resolved"]).filter((a) => a.labels.runId === id);
    return this.alerts.list(["firing"]).filter((a) => a.labels.runId === id || a.labels.runId === undefined);
  }

  override render() {
    const id = this.currentId();
    if (!id) {
      return html`<h1>Live run</h1>
        <p class="muted">No runs yet. ${this.startHint()}</p>`;
    }
    const run = this.run?.runId === id ? this.run : undefined;
    const charted = this.series.steps.filter((s) => s !== ALL_REQUESTS);
    const steps = charted.length > 0 ? charted : [JOURNEY_STEP];
    const latest = this.series.latest(JOURNEY_STEP);
    const markers = run
      ? [...runMarkers(run.faults ?? [], run.startedAt), ...changeMarkers(this.changes)]
      : [];
    const finished = run !== undefined && FINISHED.has(run.status);
    const alerts = this.runAlerts(id, finished);
    // A finished run's alerts from the alert history (its verdict): the engine's live state loses
    // resolved ones after a while, and all of them when the hub restarts.
    const verdict = this.verdict.value;
    const incidents = finished && verdict?.runId === id ? verdict.incidents : undefined;
    const latency = this.series.aligned(this.step, ["p50", "p95", "p99"]);
    const causes = this.causes.rows();
    const errors = this.errorLines(steps);
    // Only the bound run's detail once it has ended: one loaded while it ran has partial totals.
    const whole = finishedDetail(this.detail.value, id);
    return html`<h1>Live run <code>${id}</code></h1>
      <section class="panel" aria-label="Run status">
        <div class="row">
          ${this.stateBadge(run, finished)}
          <span>${run?.profile ?? ""}</span>
          <span class="muted">${run?.target ?? ""}</span>
          <span class="spacer"></span>
          <a href=${routeHref("run", id)}>Run detail and reports</a>
        </div>
        ${
          run && FINISHED.has(run.status)
            ? html`<pw-run-verdict
              .run=${run}
              .detail=${whole}
              .verdict=${this.verdict.value}
              .verdictError=${this.verdict.error?.message}
              stateShown
              incidentsShown
            ></pw-run-verdict>`
            : null
        }
        ${run ? html`<pw-faults-at-start .active=${this.active}></pw-faults-at-start>` : null}
        ${this.detail.error ? html`<p class="error-text">${this.detail.error.message}</p>` : null}
      </section>
      ${this.kpis(latest, finished, whole)}
      <section class="panel" aria-label=${finished ? "Alerts of this run" : "Active alerts"} data-testid="live-alerts">
        <h2>${finished ? "Alerts of this run" : "Active alerts"}</h2>
        ${
          incidents
            ? incidents.length === 0
              ? html`<p class="muted">No alerts fired during this run.</p>`
              : incidentList(id, incidents)
            : alerts.length === 0
              ? html`<p class="muted">${finished ? "No alerts fired during this run." : "None firing."}</p>`
              : html`<ul>
              ${alerts.map(
                (a) =>
                  html`<li data-fingerprint=${a.fingerprint} data-run=${a.labels.runId ?? ""}>
                    <span class="badge ${a.state}">${a.state}</span> ${a.rule} ${a.annotations.summary ?? ""}
                  </li>`,
              )}
            </ul>`
        }
      </section>
      <div class="grid">
        <section class="panel">
          <pw-chart
            data-testid="rate-chart"
            title="Arrivals: target vs achieved, dropped"
            unit="/s"
            .series=${rateSeries}
            .data=${this.series.aligned(JOURNEY_STEP, ["target", "achieved", "dropped"])}
            .markers=${markers}
          ></pw-chart>
        </section>
        <section class="panel">
          <label class="inline"
            >Step
            <select @change=${(e: Event) => (this.step = (e.target as HTMLSelectElement).value)}>
              ${steps.map((s) => html`<option ?selected=${s === this.step}>${s}</option>`)}
            </select></label
          >
          <pw-chart
            data-testid="latency-chart"
            title=${`Latency of ${this.step}`}
            unit="ms"
            .series=${latencySeries}
            .data=${latency}
            .markers=${markers}
            gap=${latencyGap(latency, this.step, causes)}
            note=${latencyHoles(latency, this.step, causes)}
          ></pw-chart>
        </section>
        <section class="panel">
          <pw-chart
            data-testid="error-chart"
            title="Error rate per step"
            unit="%"
            .series=${errors.series}
            .data=${errors.data}
            .markers=${markers}
          ></pw-chart>
        </section>
      </div>
      <section class="panel" aria-label="Errors by cause">
        <h2>Errors by cause</h2>
        <pw-errors-table .rows=${causes} data-ticks=${this.ticks}></pw-errors-table>
      </section>
      <section class="panel">${this.stepTable(steps)}</section>`;
  }

  /**
   * The error chart's lines: the steps with the highest peaks, the rest folded into "other"; each
   * step in its own colour for the life of the view, whatever order the steps come in.
   */
  private errorLines(steps: ReadonlyArray<string>) {
    const lines = topSeries(
      steps.map((s) => ({ label: s, values: this.series.aligned(s, ["errorRate"])[1] ?? [] })),
      "max",
    );
    const folded = lines.length < steps.length;
    const named = folded ? lines.slice(0, -1) : lines;
    const colors = this.stepColors.colorsOf(named.map((l) => l.label));
    // Past the named steps comes the folded rest.
    const series: ChartSeries[] = lines.map((l, i) => ({ label: l.label, color: colors[i] ?? OTHER_COLOR }));
    return { series, data: [this.series.seconds, ...lines.map((l) => l.values)] };
  }

  /**
   * Headline tiles, each with its unit and what it measures: request latency is every HTTP
   * request merged; journey duration includes think time; the error share is of all requests
   * over the seconds the charts show.
   *
   * The latest second while the run goes on; once it has ended and its final REST detail is in
   * (`whole`) the latency tiles cover the whole run and the arrival tiles say they show its last
   * second. Between the end and that detail the latency tiles keep their last figures.
   */
  private kpis(latest: StepFigures | undefined, ended: boolean, whole?: RunDetail) {
    // Ended, the whole-run figures still loading: the newest second with a latency, so a tile does
    // not read "no request" after a run that sent hundreds (its last seconds are often idle).
    const recent = (step: string) =>
      (ended ? this.series.latestWith(step, (f) => successLatency(f, "p95") !== null) : undefined) ??
      this.series.latest(step);
    const requests = recent(ALL_REQUESTS);
    const journey = recent(JOURNEY_STEP);
    const errorShare = this.series.ratioOver(ALL_REQUESTS, "errors", "rate");
    const seconds = this.series.seconds;
    const kpi = (id: string, label: string, value: string, title = "", why = "") =>
      html`<div class="kpi" data-testid=${`kpi-${id}`} title=${title}>
        <div class="muted">${label}</div>
        <div class="value">${value}</div>
        ${why ? html`<div class="muted why" data-testid="kpi-why">${why}</div>` : null}
      </div>`;
    // A latency tile without a figure says why (every request failed, nothing was sent).
    const requestWhy =
      requests && successLatency(requests, "p95") === null
        ? this.noLatencyWhy(requests.rate ?? 0, ALL_REQUESTS)
        : "";
    const journeyWhy = journey && successLatency(journey, "p95") === null ? "no journey completed" : "";
    const last = whole ? ", last second" : "";
    const requestP95 = whole
      ? wholeRunP95(whole.requests)
      : { value: formatMs(successLatency(requests, "p95")), why: requestWhy };
    const journeyP95 = whole
      ? wholeRunP95(whole.steps[JOURNEY_STEP], true)
      : { value: formatMs(successLatency(journey, "p95")), why: journeyWhy };
    const span = whole ? "the whole run" : ended ? "last second with a figure" : "latest second";
    return html`<section class="panel kpis" aria-label="Headline figures" data-ticks=${this.ticks}>
      ${kpi("target", `Target arrivals${last}`, formatRate(latest?.target), "journeys scheduled in the latest second")}
      ${kpi("achieved", `Achieved arrivals${last}`, formatRate(latest?.achieved), "journeys started in the latest second")}
      ${kpi("dropped", `Dropped arrivals${last}`, formatRate(latest?.dropped), "arrivals with no free virtual user, latest second")}
      ${kpi("request-p95", `Request p95 (all requests${whole ? ", whole run" : ""})`, requestP95.value, `successful HTTP requests of every step, ${span}`, requestP95.why)}
      ${kpi("journey-p95", `Journey p95 incl. think time${whole ? ", whole run" : ""}`, journeyP95.value, `whole journeys from arrival to last response, ${span}`, journeyP95.why)}
      <div
        class="kpi"
        data-testid="kpi-errors"
        data-share=${errorShare ?? ""}
        data-from=${seconds[0] ?? ""}
        data-to=${seconds.at(-1) ?? ""}
        title="failed share of all requests over the seconds the charts show"
      >
        <div class="muted">Errors (share of all requests, charted seconds)</div>
        <div class="value">${formatPercent(errorShare)}</div>
      </div>
    </section>`;
  }

  /** The one badge of the run's state: the verdict's once the run has ended and it is known. */
  private stateBadge(run: Run | undefined, finished: boolean) {
    const verdict = finished ? this.verdict.value : undefined;
    const state = verdict?.state ?? run?.status ?? "unknown";
    const lasted = run?.endedAt ? formatDuration((run.endedAt - run.startedAt) / 1000) : "";
    return html`<span class="badge ${state}" data-testid="run-status"
        >${verdict ? verdictStateLabels[verdict.state] : (run?.status ?? "…")}</span
      >${lasted ? html`<span class="muted">lasted ${lasted}</span>` : null}`;
  }

  private stepTable(steps: string[]) {
    return html`<h2>Per step, latest second</h2>
      <div class="steps"><table data-testid="live-step-table">
        <thead>
          <tr>
            <th scope="col">Step</th>
            <th class="num" scope="col">Rate</th>
            <th class="num" scope="col">p50</th>
            <th class="num" scope="col">p95</th>
            <th class="num" scope="col">p99</th>
            <th class="num" scope="col">Errors</th>
          </tr>
        </thead>
        <tbody>
          ${steps.map((s) => {
            const f = this.series.latest(s);
            return html`<tr data-step=${s}>
              <th scope="row">${s}</th>
              <td class="num" data-label="rate">${f ? formatRate(f.rate ?? 0) : "–"}</td>
              ${
                f && successLatency(f, "p50") === null
                  ? // No latency this second: say why instead of three dashes.
                    html`<td class="muted wide" colspan="3" data-label="latency" data-testid="no-latency">
                      ${s === JOURNEY_STEP ? "no journey completed" : this.noLatencyWhy(f.rate ?? 0, s)}
                    </td>`
                  : html`<td class="num" data-label="p50">${formatMs(successLatency(f, "p50"))}</td>
                      <td class="num" data-label="p95">${formatMs(successLatency(f, "p95"))}</td>
                      <td class="num" data-label="p99">${formatMs(successLatency(f, "p99"))}</td>`
              }
              <td class="num" data-label="errors">${formatPercent(f?.errorRate)}</td>
            </tr>`;
          })}
        </tbody>
      </table></div>`;
  }

  private startHint() {
    return html`<a href=${routeHref("control")}>Start one from Control.</a>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pw-live-run": PwLiveRun;
  }
}

/** A live window message's figures by step, every request merged under ALL_REQUESTS. */
function stepFiguresOf(message: LiveWindowMessage): Record<string, StepFigures> {
  const steps: Record<string, StepFigures> = {};
  for (const [step, raw] of Object.entries(message.steps)) steps[step] = readStepFigures(raw);
  if (message.requests) steps[ALL_REQUESTS] = readStepFigures(message.requests);
  return steps;
}

import { css, html, LitElement, type PropertyValues } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { Alert } from "../../../core/alert.ts";
import { JOURNEY_STEP } from "../../../core/names.ts";
import { hub } from "../api/hub-client.ts";
import { listOf, type Me, type Run, type RunDetail } from "../api/types.ts";
import { runMarkers } from "../charts/run-markers.ts";
import { ApiTask } from "../controllers/api-task.ts";
import { LiveController } from "../controllers/live-controller.ts";
import { formatMs, formatPercent, formatRate } from "../format.ts";
import { AlertBook } from "../live/alert-book.ts";
import type { LiveMessage } from "../live/messages.ts";
import { chartResolution } from "../live/resolution.ts";
import { RunSeries } from "../live/run-series.ts";
import { loadSeries } from "../live/series-loader.ts";
import { readStepFigures, type StepFigures } from "../live/step-figures.ts";
import { routeHref } from "../router.ts";
import { sharedStyles } from "../styles/shared.ts";
import type { ChartSeries } from "./pw-chart.ts";
import "./pw-chart.ts";
import "./pw-run-verdict.ts";

const LIVE_POINTS = 3600;
const FINAL = new Set(["passed", "failed", "aborted", "error"]);
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
const stepColors = ["--pw-chart-1", "--pw-chart-2", "--pw-chart-3", "--pw-chart-4", "--pw-chart-5"];

/**
 * The live view of one run: target vs achieved arrivals, p50/p95/p99 per step, error rate,
 * dropped arrivals, fault markers and the alerts firing now. Backfills from the REST series,
 * then appends one point per second from the live socket; after a reconnect it backfills again.
 */
@customElement("pw-live-run")
export class PwLiveRun extends LitElement {
  static override styles = [
    sharedStyles,
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
    `,
  ];

  @property() runId = "";
  @property({ attribute: false }) me: Me | undefined;
  @state() private run: Run | undefined;
  @state() private step: string = JOURNEY_STEP;
  @state() private ticks = 0;
  /** One hour of live seconds at most: the bench shows that stays a fast redraw. */
  private series = new RunSeries(LIVE_POINTS);
  private readonly alerts = new AlertBook();

  /** With no run id, follow the newest run (running first). */
  private readonly runs = new ApiTask(this, {
    task: async (signal) => listOf<Run>(await hub.get("/runs", { limit: 20 }, signal), "runs"),
    args: () => [this.runId === ""],
  });

  private readonly detail = new ApiTask(this, {
    task: async (signal) => {
      const id = this.currentId();
      if (!id) return undefined;
      const detail = await hub.get<RunDetail>(`/runs/${encodeURIComponent(id)}`, undefined, signal);
      this.run = detail.run;
      const others = Object.keys(detail.steps ?? {}).filter((s) => s !== JOURNEY_STEP);
      // The history so far comes downsampled (about 600 points even for a long soak); live
      // seconds then append at one per second.
      const resolution = chartResolution(detail.run);
      // Arrival figures exist on the journey step only; other steps need latency and errors.
      await Promise.all([
        loadSeries(hub, this.series, { runId: id, steps: [JOURNEY_STEP], resolution, signal }),
        loadSeries(hub, this.series, {
          runId: id,
          steps: others,
          keys: ["p50", "p95", "p99", "errorRate"],
          resolution,
          signal,
        }),
      ]);
      this.ticks += 1;
      return detail;
    },
    args: () => [this.currentId()],
  });

  private readonly activeAlerts = new ApiTask(this, {
    task: async (signal) => {
      this.alerts.reset(listOf<Alert>(await hub.get("/alerts", { state: "firing" }, signal), "alerts"));
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
        void this.detail.run();
        void this.activeAlerts.run();
      },
    });
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("runId")) {
      this.series = new RunSeries(LIVE_POINTS);
      this.run = undefined;
    }
  }

  private currentId(): string {
    if (this.runId) return this.runId;
    const runs = this.runs.value ?? [];
    return (runs.find((r) => !FINAL.has(r.status)) ?? runs[0])?.runId ?? "";
  }

  private receive(message: LiveMessage): void {
    const id = this.currentId();
    if (message.type === "window" && message.runId === id) {
      const steps: Record<string, StepFigures> = {};
      for (const [step, raw] of Object.entries(message.steps)) steps[step] = readStepFigures(raw);
      this.series.put(message.second, steps);
      this.ticks += 1;
    } else if (message.type === "run") {
      if (message.run.runId === id) this.run = message.run;
      else if (!this.runId) void this.runs.run(); // a new run started: follow it
    } else if (message.type === "alert") {
      if (this.alerts.apply(message.event)) this.requestUpdate();
    }
  }

  override render() {
    const id = this.currentId();
    if (!id) {
      return html`<h1>Live run</h1>
        <p class="muted">No runs yet. ${this.startHint()}</p>`;
    }
    const run = this.run;
    const steps = this.series.steps.length > 0 ? this.series.steps : [JOURNEY_STEP];
    const latest = this.series.latest(JOURNEY_STEP);
    const markers = run ? runMarkers(run.faults ?? [], run.startedAt) : [];
    const firing = this.alerts.list(["firing"]);
    return html`<h1>Live run <code>${id}</code></h1>
      <section class="panel" aria-label="Run status">
        <div class="row">
          <span class="badge ${run?.status ?? "unknown"}" data-testid="run-status">${run?.status ?? "…"}</span>
          <span>${run?.profile ?? ""}</span>
          <span class="muted">${run?.target ?? ""}</span>
          <span class="spacer"></span>
          <a href=${routeHref("run", id)}>Run detail and reports</a>
        </div>
        ${run && FINAL.has(run.status) ? html`<pw-run-verdict .run=${run}></pw-run-verdict>` : null}
        ${this.detail.error ? html`<p class="error-text">${this.detail.error.message}</p>` : null}
      </section>
      ${this.kpis(latest)}
      <section class="panel" aria-label="Active alerts" data-testid="live-alerts">
        <h2>Active alerts</h2>
        ${
          firing.length === 0
            ? html`<p class="muted">None firing.</p>`
            : html`<ul>
              ${firing.map((a) => html`<li><span class="badge firing">firing</span> ${a.rule} ${a.annotations.summary ?? ""}</li>`)}
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
            .data=${this.series.aligned(this.step, ["p50", "p95", "p99"])}
            .markers=${markers}
          ></pw-chart>
        </section>
        <section class="panel">
          <pw-chart
            data-testid="error-chart"
            title="Error rate per step"
            unit="%"
            .series=${steps.map((s, i) => ({ label: s, color: stepColors[i % stepColors.length]! }))}
            .data=${this.series.acrossSteps(steps, "errorRate")}
            .markers=${markers}
          ></pw-chart>
        </section>
      </div>
      <section class="panel">${this.stepTable(steps)}</section>`;
  }

  private kpis(latest: StepFigures | undefined) {
    const kpi = (label: string, value: string) =>
      html`<div class="kpi"><div class="muted">${label}</div><div class="value">${value}</div></div>`;
    return html`<section class="panel kpis" aria-label="Latest second" data-ticks=${this.ticks}>
      ${kpi("Target", formatRate(latest?.target))} ${kpi("Achieved", formatRate(latest?.achieved))}
      ${kpi("Dropped", String(latest?.dropped ?? "–"))} ${kpi("Journey p95", formatMs(latest?.p95))}
      ${kpi("Errors", formatPercent(latest?.errorRate))}
    </section>`;
  }

  private stepTable(steps: string[]) {
    return html`<h2>Per step, latest second</h2>
      <table>
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
            return html`<tr>
              <th scope="row">${s}</th>
              <td class="num">${formatRate(f?.rate)}</td>
              <td class="num">${formatMs(f?.p50)}</td>
              <td class="num">${formatMs(f?.p95)}</td>
              <td class="num">${formatMs(f?.p99)}</td>
              <td class="num">${formatPercent(f?.errorRate)}</td>
            </tr>`;
          })}
        </tbody>
      </table>`;
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

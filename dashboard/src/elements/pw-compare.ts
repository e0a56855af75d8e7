import { css, html, LitElement } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { JOURNEY_STEP } from "../../../core/names.ts";
import type { RunVerdict } from "../../../core/verdict.ts";
import { hub } from "../api/hub-client.ts";
import type { RunDetail } from "../api/types.ts";
import type { WindowSample } from "../compare/bootstrap.ts";
import {
  type DeltaCell,
  type DeltaMetric,
  deltaCell,
  deltaMetrics,
  windowsOf,
} from "../compare/step-deltas.ts";
import { ApiTask } from "../controllers/api-task.ts";
import { formatMs, formatPercent, formatRate } from "../format.ts";
import { overlay } from "../live/overlay.ts";
import { chartResolution } from "../live/resolution.ts";
import { RunSeries } from "../live/run-series.ts";
import { loadSeries } from "../live/series-loader.ts";
import type { FigureKey } from "../live/step-figures.ts";
import { routeHref } from "../router.ts";
import { sharedStyles } from "../styles/shared.ts";
import type { ChartSeries } from "./pw-chart.ts";
import "./pw-chart.ts";
import { loadVerdict } from "./pw-run-verdict.ts";
import "./pw-step-table.ts";
import "./pw-table-scroll.ts";

const metricLabel: Record<DeltaMetric, string> = {
  p50: "p50",
  p95: "p95",
  p99: "p99",
  errorRate: "Error rate",
  throughput: "Throughput",
};

/** Each figure in its unit; a delta keeps the sign. */
const formatOf: Record<DeltaMetric, (v: number | null) => string> = {
  p50: formatMs,
  p95: formatMs,
  p99: formatMs,
  errorRate: (v) => formatPercent(v),
  throughput: formatRate,
};
const signed = (metric: DeltaMetric, v: number) =>
  metric === "errorRate"
    ? `${v > 0 ? "+" : v < 0 ? "−" : "±"}${(Math.abs(v) * 100).toFixed(2)} pt`
    : `${v > 0 ? "+" : v < 0 ? "−" : "±"}${formatOf[metric](Math.abs(v))}`;

/** Which per-second figure backs each compared metric, and what weighs its windows. */
const windowFigure: Record<DeltaMetric, FigureKey> = {
  p50: "p50",
  p95: "p95",
  p99: "p99",
  errorRate: "errorRate",
  throughput: "rate",
};

interface Loaded {
  id: string;
  detail: RunDetail;
  series: RunSeries;
  /** Thresholds and alerts together: a run whose alerts fired reads "passed with incidents", as everywhere. */
  verdict: RunVerdict | null;
  verdictError: string | undefined;
}

/**
 * Two runs side by side: journey p95 and achieved rate overlaid on "seconds into the run",
 * per-step deltas (p50/p95/p99, error rate, throughput) coloured by direction and marked when
 * larger than run-to-run noise (a seeded bootstrap over per-second windows), each run's
 * percentiles, and each run's thresholds.
 */
@customElement("pw-compare")
export class PwCompare extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .deltas {
        display: grid;
        gap: 0.75rem;
        grid-template-columns: repeat(auto-fill, minmax(min(100%, 25rem), 1fr));
      }
      .deltas section {
        border: 1px solid var(--pw-border);
        border-radius: var(--pw-radius);
        padding: 0.5rem 0.6rem;
        min-width: 0;
        overflow-x: auto;
      }
      .deltas table {
        font-size: 0.85rem;
      }
      .deltas th,
      .deltas td {
        padding: 0.25rem 0.35rem;
      }
      .deltas h3 {
        overflow-wrap: anywhere;
      }
      td.better {
        color: var(--pw-ok);
      }
      td.worse {
        color: var(--pw-bad);
      }
      td.noise {
        color: var(--pw-muted);
      }
      td.better.sig,
      td.worse.sig {
        font-weight: 700;
      }
      td.better.sig {
        background: var(--pw-ok-bg);
      }
      td.worse.sig {
        background: var(--pw-bad-bg);
      }
      .legend {
        font-size: 0.85rem;
      }
      .table-wrap {
        overflow-x: auto;
      }
    `,
  ];

  @property() a = "";
  @property() b = "";

  private readonly data = new ApiTask(this, {
    task: async (signal) => {
      // Nothing to ask for until two runs are picked (the page says so).
      if (!this.a || !this.b) return undefined;
      const details = await Promise.all(
        [this.a, this.b].map((id) =>
          hub.get<RunDetail>(`/runs/${encodeURIComponent(id)}`, undefined, signal),
        ),
      );
      // One resolution for both, so their windows are the same width and comparable.
      const resolution = Math.max(...details.map((d) => chartResolution(d.run)));
      const steps = [...new Set(details.flatMap((d) => Object.keys(d.steps ?? {})))];
      const loaded = await Promise.all(
        [this.a, this.b].map(async (id, i): Promise<Loaded> => {
          const series = new RunSeries();
          const [verdict] = await Promise.all([
            loadVerdict(id, signal),
            loadSeries(hub, series, {
              runId: id,
              steps: [JOURNEY_STEP],
              keys: ["achieved", "p50", "p95", "p99", "errorRate", "rate"],
              resolution,
              signal,
            }),
          ]);
          return { id, detail: details[i]!, series, ...verdict };
        }),
      );
      this.judged = new Set([JOURNEY_STEP]);
      void this.loadWindows(
        loaded,
        steps.filter((s) => s !== JOURNEY_STEP),
        resolution,
        signal,
      );
      return loaded;
    },
    args: () => [this.a, this.b],
  });

  /** Steps whose per-second windows are in: their noise verdicts can be shown. */
  @state() private judged = new Set<string>();

  /**
   * The other steps' per-second windows, a few steps at a time after the page has drawn: five
   * series per step and run are many requests, and the charts and directions need none of them.
   * Each step's verdicts appear as its windows arrive; a newer pair of runs aborts the rest.
   */
  private async loadWindows(
    runs: ReadonlyArray<Loaded>,
    steps: ReadonlyArray<string>,
    resolution: number,
    signal: AbortSignal,
  ): Promise<void> {
    const queue = [...steps];
    const worker = async () => {
      for (let step = queue.shift(); step !== undefined && !signal.aborted; step = queue.shift()) {
        await Promise.all(
          runs.map((r) =>
            loadSeries(hub, r.series, {
              runId: r.id,
              steps: [step],
              keys: ["p50", "p95", "p99", "errorRate", "rate"],
              resolution,
              signal,
            }),
          ),
        );
        if (!signal.aborted) this.judged = new Set(this.judged).add(step);
      }
    };
    await Promise.all([worker(), worker()]);
  }

  override render() {
    if (!this.a || !this.b) {
      return html`<h1>Compare runs</h1>
        <p>Pick two runs in <a href=${routeHref("history")}>History</a>.</p>`;
    }
    if (this.data.error)
      return html`<h1>Compare runs</h1><p class="error-text">${this.data.error.message}</p>`;
    const runs = this.data.value;
    if (!runs) return html`<h1>Compare runs</h1><p class="muted">Loading…</p>`;
    const [first, second] = runs as [Loaded, Loaded];
    const series = (key: string): ChartSeries[] => [
      { label: `A ${key}`, color: "--pw-chart-1" },
      { label: `B ${key}`, color: "--pw-chart-2" },
    ];
    const columns = (key: "p95" | "achieved") =>
      overlay(
        runs.map((r) => ({
          startSecond: r.detail.run.startedAt / 1000,
          columns: r.series.aligned(JOURNEY_STEP, [key]),
        })),
      );
    return html`<h1>Compare runs</h1>
      <p class="row">
        <span><strong>A</strong> <a href=${routeHref("run", first.id)}><code>${first.id}</code></a></span>
        <span><strong>B</strong> <a href=${routeHref("run", second.id)}><code>${second.id}</code></a></span>
      </p>
      <div class="grid">
        <section class="panel">
          <pw-chart
            title="Journey p95, seconds into the run"
            unit="ms"
            relative
            .series=${series("p95")}
            .data=${columns("p95")}
          ></pw-chart>
        </section>
        <section class="panel">
          <pw-chart
            title="Achieved rate, seconds into the run"
            unit="/s"
            relative
            .series=${series("achieved")}
            .data=${columns("achieved")}
          ></pw-chart>
        </section>
      </div>
      <section class="panel" aria-labelledby="deltas-title">
        <h2 id="deltas-title">What changed from A to B, per step</h2>
        <p class="muted legend">
          Green is better, red is worse. Bold on a tint: larger than the run-to-run noise (95 % bootstrap
          interval over the per-second windows leaves out zero); grey: within noise.
        </p>
        <div class="deltas" data-testid="delta-table">${this.deltaSections(first, second)}</div>
      </section>
      <section class="panel">
        <h2>Percentiles per step</h2>
        <div class="table-wrap">
          <pw-step-table .runs=${runs.map((r, i) => ({ label: `${i === 0 ? "A" : "B"} ${r.id}`, steps: r.detail.steps }))}></pw-step-table>
        </div>
      </section>
      <div class="grid">
        ${runs.map(
          (r, i) => html`<section class="panel">
            <h2>${i === 0 ? "A" : "B"} · <a href=${routeHref("run", r.id)}>${r.id}</a> · ${r.detail.run.profile}</h2>
            <pw-run-verdict
              .run=${r.detail.run}
              .detail=${r.detail}
              .verdict=${r.verdict}
              .verdictError=${r.verdictError}
            ></pw-run-verdict>
          </section>`,
        )}
      </div>`;
  }

  private deltaSections(a: Loaded, b: Loaded) {
    const steps = [
      ...new Set([...Object.keys(a.detail.steps ?? {}), ...Object.keys(b.detail.steps ?? {})]),
    ].sort((x, y) => (x === JOURNEY_STEP ? -1 : y === JOURNEY_STEP ? 1 : x.localeCompare(y)));
    return steps.map(
      (step) => html`<section data-step=${step}>
        <h3>${step}</h3>
        <pw-table-scroll label=${step}><table>
          <thead>
            <tr>
              <th scope="col">Figure</th>
              <th class="num" scope="col">A</th>
              <th class="num" scope="col">B</th>
              <th class="num" scope="col">Change</th>
            </tr>
          </thead>
          <tbody>
            ${deltaMetrics.map((metric) =>
              this.deltaRow(
                step,
                metric,
                deltaCell(metric, this.pair(step, metric, a, b)),
                this.judged.has(step),
              ),
            )}
          </tbody>
        </table></pw-table-scroll>
      </section>`,
    );
  }

  private deltaRow(step: string, metric: DeltaMetric, cell: DeltaCell, judged: boolean) {
    const sig = cell.noise?.exceedsNoise === true;
    const cls =
      cell.delta === null || cell.direction === "same"
        ? ""
        : `${cell.direction} ${!judged ? "" : sig ? "sig" : "noise"}`;
    const noiseText = !judged
      ? "judging the noise…"
      : cell.noise === undefined
        ? "too few windows to judge the noise"
        : sig
          ? "larger than run-to-run noise"
          : "within run-to-run noise";
    return html`<tr
      data-metric=${metric}
      data-direction=${cell.direction}
      data-exceeds-noise=${judged ? String(sig) : "pending"}
    >
      <th scope="row">${metricLabel[metric]}</th>
      <td class="num">${formatOf[metric](cell.a)}</td>
      <td class="num">${formatOf[metric](cell.b)}</td>
      <td class="num ${cls}" title=${`${step} ${metricLabel[metric]}: ${noiseText}`}>
        ${cell.delta === null ? "–" : signed(metric, cell.delta)}
        ${cell.relative === null || cell.delta === 0 ? null : html`<div>${signedPercent(cell.relative)}</div>`}
        <span class="visually-hidden">${cell.direction}, ${noiseText}</span>
      </td>
    </tr>`;
  }

  /** Whole-run values from each run's merged summary, and the per-second windows behind them. */
  private pair(step: string, metric: DeltaMetric, a: Loaded, b: Loaded) {
    const whole = (r: Loaded): number | null => {
      const s = r.detail.steps?.[step];
      if (!s) return null;
      if (metric === "errorRate") return s.errorRate;
      if (metric === "throughput") {
        const end = r.detail.run.endedAt ?? Date.now();
        const seconds = (end - r.detail.run.startedAt) / 1000;
        return seconds > 0 ? s.count / seconds : null;
      }
      // No successful request: no latency (the summary's 0 ms would read as "100 % faster").
      return s.latency.count === 0 ? null : s.latency[metric];
    };
    const windows = (r: Loaded): WindowSample[] => {
      const [seconds, values = [], rates = []] = r.series.aligned(step, [windowFigure[metric], "rate"]);
      const points = (col: Array<number | null>) =>
        seconds.map((s, i): [number, number | null] => [s, col[i] ?? null]);
      // Throughput: every window counts alike; the others weigh each second by its requests.
      return metric === "throughput"
        ? windowsOf(points(values), points(values.map(() => 1)))
        : windowsOf(points(values), points(rates));
    };
    return { a: whole(a), b: whole(b), windowsA: windows(a), windowsB: windows(b) };
  }
}

function signedPercent(ratio: number): string {
  const sign = ratio > 0 ? "+" : ratio < 0 ? "−" : "±";
  return `${sign}${(Math.abs(ratio) * 100).toFixed(1)} %`;
}

declare global {
  interface HTMLElementTagNameMap {
    "pw-compare": PwCompare;
  }
}

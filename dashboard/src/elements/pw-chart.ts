import { css, html, LitElement, type PropertyValues, unsafeCSS } from "lit";
import { customElement, property, query } from "lit/decorators.js";
import uPlot from "uplot";
import uplotCss from "uplot/dist/uPlot.min.css?inline";
import { type ChartMarker, faultMarkersPlugin } from "../charts/fault-markers.ts";
import { isolatedPoints } from "../charts/isolated-points.ts";
import type { Aligned } from "../live/run-series.ts";

/** One line of a chart; `color` is a theme variable name such as `--pw-chart-1`. */
export interface ChartSeries {
  label: string;
  color: string;
  /** "y" (left axis, default) or "y2" (right axis). */
  scale?: "y" | "y2";
  dash?: boolean;
}

/** The theme changed (toggle or OS setting): charts repaint with the new colours. */
export const THEME_EVENT = "pw-theme-change";

/**
 * A uPlot time-series chart. Setting `data` only swaps the data (cheap, so it can run every
 * second on a live run); changing `series` or the theme rebuilds the plot. Sized to its container.
 *
 * @csspart plot - the element uPlot draws into
 */
@customElement("pw-chart")
export class PwChart extends LitElement {
  static override styles = [
    unsafeCSS(uplotCss),
    css`
      :host {
        display: block;
        min-width: 0;
      }
      figure {
        margin: 0;
      }
      figcaption {
        font-weight: 600;
        margin-bottom: 0.25rem;
      }
      figcaption .day {
        font-weight: normal;
        color: var(--pw-muted);
        font-size: 0.85rem;
      }
      .plot {
        overflow: hidden;
      }
      .u-legend {
        font-size: 0.8rem;
        color: var(--pw-text);
        white-space: normal;
        display: flex;
        flex-wrap: wrap;
        justify-content: center;
      }
      .u-legend.u-inline tr {
        display: inline-flex;
        align-items: center;
        margin-right: 0.6rem;
      }
      .u-legend th {
        font-weight: normal;
        white-space: nowrap;
      }
      .u-legend .u-marker {
        width: 0.9em;
        height: 0.9em;
      }
      .empty {
        color: var(--pw-muted);
        font-size: 0.85rem;
      }
    `,
  ];

  @property() override title = "";
  /** Compared by content: a re-render with equal series swaps data instead of rebuilding. */
  @property({ attribute: false, hasChanged: (a, b) => JSON.stringify(a) !== JSON.stringify(b) })
  series: ChartSeries[] = [];
  @property({ attribute: false }) data: Aligned = [[]];
  @property({ attribute: false }) markers: ChartMarker[] = [];
  /** Unit of the left axis ("ms", "%", "/s"); "%" expects ratios and shows them ×100. */
  @property() unit = "";
  @property() unit2 = "";
  @property({ type: Number }) height = 220;
  /** x is "seconds into the run" rather than wall-clock time (compare view). */
  @property({ type: Boolean }) relative = false;
  /**
   * Shown instead of the plot when seconds were charted but no series has a value in any of
   * them (say, why: "No journey completed … Failed: HTTP 503 …"); no flat line is drawn then.
   */
  @property() gap = "";
  /** Shown under the plot when it is drawn: what its line leaves out (say, why it breaks). */
  @property() note = "";

  @query(".plot") private plotHost!: HTMLDivElement;
  private plot: uPlot | undefined;
  private resizeObserver: ResizeObserver | undefined;
  /** How many times data was applied; tests and the bench read it from `data-updates`. */
  private updates = 0;
  private readonly onTheme = () => this.rebuild();
  private readonly media = matchMedia("(prefers-color-scheme: dark)");

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener(THEME_EVENT, this.onTheme);
    this.media.addEventListener("change", this.onTheme);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener(THEME_EVENT, this.onTheme);
    this.media.removeEventListener("change", this.onTheme);
    this.resizeObserver?.disconnect();
    this.plot?.destroy();
    this.plot = undefined;
  }

  override render() {
    const points = this.data[0]?.length ?? 0;
    const first = this.data[0]?.[0];
    // The day goes in the caption, not on the axis, where it ran into the first tick.
    const day =
      !this.relative && first !== undefined
        ? new Date(first * 1000).toLocaleDateString(undefined, { dateStyle: "medium" })
        : "";
    return html`<figure>
      ${this.title ? html`<figcaption>${this.title}${day ? html` <span class="day">· ${day}</span>` : null}</figcaption>` : null}
      <div class="plot" part="plot" role="img" aria-label=${`${this.title} chart, ${points} points`} ?hidden=${!!this.gap}></div>
      ${points === 0 ? html`<div class="empty">No data yet.</div>` : null}
      ${this.gap ? html`<div class="empty" data-testid="chart-gap">${this.gap}</div>` : null}
      ${this.note && !this.gap ? html`<div class="empty" data-testid="chart-note">${this.note}</div>` : null}
    </figure>`;
  }

  protected override firstUpdated(): void {
    this.resizeObserver = new ResizeObserver(() => {
      if (this.plot) this.plot.setSize({ width: this.width(), height: this.height });
    });
    this.resizeObserver.observe(this);
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (
      !this.plot ||
      changed.has("series") ||
      changed.has("unit") ||
      changed.has("height") ||
      changed.has("relative")
    ) {
      this.rebuild();
    } else if (changed.has("data")) {
      this.plot.setData(this.data as uPlot.AlignedData);
      this.countUpdate();
    } else if (changed.has("markers")) {
      this.plot.redraw(false);
    }
  }

  private rebuild(): void {
    if (!this.plotHost) return;
    this.plot?.destroy();
    const style = getComputedStyle(this);
    const color = (name: string) => style.getPropertyValue(name).trim() || "#888";
    const text = color("--pw-muted");
    const grid = color("--pw-chart-grid");
    const axis = (unit: string, scale: string, side?: 1) => ({
      scale,
      // Only when given: an explicit undefined replaced uPlot's default (left) and drew the
      // labels over the plot.
      ...(side ? { side } : {}),
      stroke: text,
      grid: { stroke: grid, width: 1 },
      ticks: { stroke: grid, width: 1 },
      values: (_u: uPlot, splits: number[]) => formatTicks(splits, unit),
      // Wide enough for the longest label ("100 %", "1.25 s"), so none is clipped.
      size: (_u: uPlot, values: string[] | null) => axisSize(values),
    });
    const range =
      (unit: string) =>
      (_u: uPlot, _min: number, max: number): uPlot.Range.MinMax => {
        // A ratio never goes past 100 %: a 110 % tick would mean nothing.
        const top = max > 0 ? max * 1.1 : unit === "%" ? 0.01 : 1;
        return [0, unit === "%" ? Math.min(1, top) : top];
      };
    const hasY2 = this.series.some((s) => s.scale === "y2");
    const options: uPlot.Options = {
      width: this.width(),
      height: this.height,
      cursor: { drag: { x: true, y: false } },
      // Room above the top tick, so its label ("100 %") is not cut in half by the canvas edge, and
      // right of the last time tick ("17:08:35" is centred on it) unless a right axis gives it.
      padding: [12, hasY2 ? 8 : this.relative ? 20 : 32, 0, 0],
      scales: {
        // One second alone: uPlot would stretch the axis over a whole day ("00:00" on every
        // tick, the dot at the edge); ten seconds around it read as what they are.
        x: {
          time: !this.relative,
          range: (u: uPlot, min: number, max: number): uPlot.Range.MinMax => {
            const xs = u.data[0];
            return xs.length === 1 ? [xs[0]! - 5, xs[0]! + 5] : [min, max];
          },
        },
        y: { range: range(this.unit) },
      },
      axes: [
        {
          stroke: text,
          grid: { stroke: grid, width: 1 },
          ticks: { stroke: grid, width: 1 },
          size: 34,
          // Room for "17:08:35" between ticks, so neighbouring labels never touch.
          space: 72,
          values: this.relative
            ? (_u: uPlot, splits: number[]) => splits.map((v) => `${v} s`)
            : (_u: uPlot, splits: number[], _axis: number, _space: number, step: number) =>
                splits.map((v) => clockTick(v, step)),
        },
        axis(this.unit, "y"),
        ...(hasY2 ? [{ ...axis(this.unit2, "y2", 1), grid: { show: false } }] : []),
      ],
      series: [
        {},
        ...this.series.map((s) => ({
          label: s.label,
          scale: s.scale ?? "y",
          stroke: color(s.color),
          width: 1.5,
          dash: s.dash ? [6, 4] : undefined,
          spanGaps: false,
          // A line needs two points: a value alone (a one-second run, a second between gaps) is
          // drawn as a dot instead of nothing.
          points: {
            show: false,
            size: 7,
            fill: color(s.color),
            filter: (u: uPlot, seriesIdx: number) => {
              const [from, to] = u.series[0]!.idxs ?? [0, -1];
              return isolatedPoints(u.data[seriesIdx] ?? [], from, to);
            },
          },
          value: (_u: uPlot, v: number | null) =>
            v === null ? "–" : formatTicks([v], s.scale === "y2" ? this.unit2 : this.unit)[0]!,
        })),
      ],
      plugins: [
        faultMarkersPlugin(() => this.markers, {
          set: color("--pw-bad"),
          clear: color("--pw-ok"),
          background: color("--pw-surface"),
        }),
      ],
    };
    if (hasY2) options.scales!.y2 = { range: range(this.unit2) };
    this.plot = new uPlot(options, this.data as uPlot.AlignedData, this.plotHost);
    this.countUpdate();
  }

  private countUpdate(): void {
    this.updates += 1;
    this.dataset.updates = String(this.updates);
    this.dataset.points = String(this.data[0]?.length ?? 0);
  }

  private width(): number {
    return Math.max(240, Math.floor(this.getBoundingClientRect().width || 600));
  }
}

/** Axis width in px for its longest label (about 7 px a character at the axis font, plus ticks). */
function axisSize(values: string[] | null): number {
  const longest = Math.max(3, ...(values ?? []).map((v) => (v ?? "").length));
  return Math.ceil(longest * 7 + 18);
}

/** Wall-clock tick without the date (the caption carries it): seconds only when ticks are. */
function clockTick(epochSeconds: number, step: number): string {
  const d = new Date(epochSeconds * 1000);
  const hh = String(d.getHours()).padStart(2, "0");
  const mm = String(d.getMinutes()).padStart(2, "0");
  if (step >= 60 && d.getSeconds() === 0) return `${hh}:${mm}`;
  return `${hh}:${mm}:${String(d.getSeconds()).padStart(2, "0")}`;
}

/**
 * Labels of an axis's ticks (or of one legend value) with their unit: latencies all in s once one
 * reaches a second ("0 s … 6 s", not "0 ms … 6 s").
 */
function formatTicks(splits: number[], unit: string): string[] {
  if (unit === "%") return splits.map((v) => `${Number((v * 100).toFixed(2))} %`);
  if (unit === "ms") {
    const inSeconds = splits.some((v) => v >= 1000);
    return splits.map((v) =>
      inSeconds ? `${Number((v / 1000).toFixed(2))} s` : `${Number(v.toFixed(1))} ms`,
    );
  }
  if (unit === "/s") return splits.map((v) => `${Number(v.toFixed(1))}/s`);
  return splits.map((v) => String(Number(v.toFixed(2))));
}

declare global {
  interface HTMLElementTagNameMap {
    "pw-chart": PwChart;
  }
}

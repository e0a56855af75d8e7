import { decodeHistogram, type Histogram, HistogramUnion } from "../core/histogram.ts";
import { type ReportPoint, reportPoint } from "../core/report/model.ts";
import { addWindow, type DecodedHistograms, type StepTotals } from "../core/threshold.ts";
import { errorTotal, JOURNEY_STEP, type Window } from "../core/window.ts";
import { histogramsOf, type WindowSink } from "./window-aggregator.ts";

/** One second of the whole run, for the progress line and the report's charts. */
export interface SecondPoint extends ReportPoint {
  /** Service time from the actual send, ms (p99). */
  serviceP99: number;
}

/** A window's latency histogram: this process's own in memory, else decoded from the wire. */
const latencyOf = (w: Window): Histogram => histogramsOf(w)?.latency ?? decodeHistogram(w.latency);

/** The histograms addWindow needs, when this process built the window (no decoding). */
function decoded(w: Window): DecodedHistograms | undefined {
  const own = histogramsOf(w);
  return own && { latency: own.latency, failedLatency: own.failedLatency };
}

const ms = (h: Histogram, p: number) => (h.totalCount === 0 ? 0 : h.getValueAtPercentile(p) / 1000);

/**
 * Everything the generator keeps about a run: per-step totals (cumulative histograms), a
 * few numbers per second for charts, and the last seconds' windows for sliding thresholds.
 * Memory grows with seconds, never with requests.
 */
export class RunStats implements WindowSink {
  readonly totals = new Map<string, StepTotals>();
  readonly series: SecondPoint[] = [];
  /** Per step and second: [second, count, errors, p95 ms]. */
  readonly stepSeries = new Map<string, [number, number, number, number][]>();
  private recent: Window[] = [];

  constructor(private readonly keepSeconds = 60) {}

  accept(windows: ReadonlyArray<Window>): void {
    const bySecond = new Map<number, Window[]>();
    for (const w of windows) {
      const list = bySecond.get(w.second) ?? [];
      list.push(w);
      bySecond.set(w.second, list);
    }
    for (const [second, list] of [...bySecond].sort((a, b) => a[0] - b[0])) {
      const service = new HistogramUnion();
      // The same function the hub uses for its report, so both draw the same points.
      const point: SecondPoint = { ...reportPoint(second, list, 1, latencyOf), serviceP99: 0 };
      for (const w of list) {
        const h = latencyOf(w);
        addWindow(this.totals, w, decoded(w));
        if (w.step === JOURNEY_STEP) continue;
        if (w.service) service.add(histogramsOf(w)?.service ?? decodeHistogram(w.service));
        const steps = this.stepSeries.get(w.step) ?? [];
        steps.push([second, w.count, errorTotal(w), ms(h, 95)]);
        this.stepSeries.set(w.step, steps);
      }
      point.serviceP99 = service.result ? ms(service.result, 99) : 0;
      const last = this.series[this.series.length - 1];
      if (last && last.second === second) Object.assign(last, point);
      else this.series.push(point);
      this.recent.push(...list);
    }
    const newest = this.series[this.series.length - 1]?.second ?? 0;
    this.recent = this.recent.filter((w) => w.second > newest - this.keepSeconds);
  }

  /** Per-step totals over the last `seconds` seconds received. */
  windowTotals(seconds: number): Map<string, StepTotals> {
    const newest = this.series[this.series.length - 1]?.second ?? 0;
    const totals = new Map<string, StepTotals>();
    for (const w of this.recent) if (w.second > newest - seconds) addWindow(totals, w, decoded(w));
    return totals;
  }

  /** Requests recorded (every step except the journey). */
  requestCount(): number {
    let n = 0;
    for (const [step, t] of this.totals) if (step !== JOURNEY_STEP) n += t.count;
    return n;
  }

  latest(): SecondPoint | undefined {
    return this.series[this.series.length - 1];
  }
}

import { type CauseCounts, mergeCauses } from "../../core/error-causes.ts";
import { mergeEncoded, summarize } from "../../core/histogram.ts";
import {
  causesOf,
  type ErrorClass,
  errorClasses,
  JOURNEY_STEP,
  type WindowSummary,
} from "../../core/window.ts";
import { SLICE_MS, yieldToLoop } from "../event-loop.ts";

/**
 * A stored stretch of one step: a raw per-second window (span 1) or a per-minute roll-up
 * (span 60). Rates are kept as "rate × seconds" so stretches of any span add up.
 */
export interface Slice {
  step: string;
  /** Start, Unix epoch seconds. */
  second: number;
  span: number;
  count: number;
  errors: Record<ErrorClass, number>;
  /** Failed requests by cause; undefined in rows from before causes (read through causesOf). */
  causes?: CauseCounts;
  bytes: number;
  dropped: number;
  targetRateSeconds: number;
  achievedRateSeconds: number;
  latency: string;
  failedLatency?: string;
}

/** A slice in the generator's window shape (rates as rate × seconds sum the same way). */
export const sliceAsWindow = (s: Slice) => ({
  ...s,
  targetRate: s.targetRateSeconds,
  achievedRate: s.achievedRateSeconds,
});

import { type SeriesStat, seriesStats } from "../../core/names.ts";

export { type SeriesStat, seriesStats };

const zeroErrors = (): Record<ErrorClass, number> => ({
  connect: 0,
  timeout: 0,
  http4xx: 0,
  http5xx: 0,
  assertion: 0,
});

/** Totals and merged percentiles over slices; never averages percentiles. */
export function summarizeSlices(slices: ReadonlyArray<Slice>): WindowSummary {
  const errors = zeroErrors();
  const causes: CauseCounts = {};
  let count = 0;
  let bytes = 0;
  let dropped = 0;
  for (const s of slices) {
    count += s.count;
    bytes += s.bytes;
    dropped += s.dropped;
    for (const c of errorClasses) errors[c] += s.errors[c];
    mergeCauses(causes, causesOf(s));
  }
  const errorCount = errorClasses.reduce((sum, c) => sum + errors[c], 0);
  return {
    count,
    errors,
    causes,
    errorRate: count === 0 ? 0 : errorCount / count,
    bytes,
    dropped,
    latency: summarize(mergeEncoded(slices.map((s) => s.latency))),
    failedLatency: summarize(mergeEncoded(slices.flatMap((s) => (s.failedLatency ? [s.failedLatency] : [])))),
  };
}

/** Per-step summaries, plus `requests`: every step except the journey as a whole. */
export function summarizeBySteps(slices: ReadonlyArray<Slice>): {
  steps: Record<string, WindowSummary>;
  requests: WindowSummary;
} {
  const bySteps = new Map<string, Slice[]>();
  for (const s of slices) {
    const list = bySteps.get(s.step) ?? [];
    list.push(s);
    bySteps.set(s.step, list);
  }
  const steps: Record<string, WindowSummary> = {};
  for (const [step, list] of [...bySteps].sort(([a], [b]) => a.localeCompare(b)))
    steps[step] = summarizeSlices(list);
  return { steps, requests: summarizeSlices(slices.filter((s) => s.step !== JOURNEY_STEP)) };
}

/** A bucket width giving at most ~`maxPoints` points over [from, to]. */
export function autoResolution(from: number, to: number, maxPoints = 600): number {
  return Math.max(1, Math.ceil((to - from + 1) / maxPoints));
}

/**
 * Downsamples slices into buckets of `resolution` seconds and computes `stat` per bucket:
 * percentiles from merged histograms (ms), rates per second over the seconds covered.
 * Returns `[bucketStartEpochSeconds, value]`, oldest first. Gives the event loop a turn every
 * SLICE_MS, so a long run's percentiles (a histogram decoded per slice) never hold it for long.
 */
export async function series(
  slices: ReadonlyArray<Slice>,
  stat: SeriesStat,
  resolution: number,
): Promise<Array<[number, number]>> {
  const buckets = new Map<number, Slice[]>();
  for (const s of slices) {
    const start = Math.floor(s.second / resolution) * resolution;
    const list = buckets.get(start) ?? [];
    list.push(s);
    buckets.set(start, list);
  }
  const points: Array<[number, number]> = [];
  let sliceStart = performance.now();
  for (const [start, list] of [...buckets].sort(([a], [b]) => a - b)) {
    if (performance.now() - sliceStart > SLICE_MS) {
      await yieldToLoop();
      sliceStart = performance.now();
    }
    points.push([start, statOf(list, stat)]);
  }
  return points;
}

function statOf(slices: ReadonlyArray<Slice>, stat: SeriesStat): number {
  if (stat === "p50" || stat === "p95" || stat === "p99") {
    const merged = mergeEncoded(slices.map((s) => s.latency));
    return merged.totalCount === 0 ? 0 : merged.getValueAtPercentile(Number(stat.slice(1))) / 1000;
  }
  // Seconds covered: each distinct stretch once, whatever the number of workers in it.
  const covered = new Map<number, number>();
  for (const s of slices) covered.set(s.second, Math.max(covered.get(s.second) ?? 0, s.span));
  const seconds = [...covered.values()].reduce((a, b) => a + b, 0) || 1;
  const sum = (f: (s: Slice) => number) => slices.reduce((acc, s) => acc + f(s), 0);
  const errorsOf = (s: Slice) => errorClasses.reduce((acc, c) => acc + s.errors[c], 0);
  const perSecond: Record<Exclude<SeriesStat, "p50" | "p95" | "p99">, () => number> = {
    rate: () => sum((s) => s.count) / seconds,
    errors: () => sum(errorsOf) / seconds,
    errorRate: () => {
      const count = sum((s) => s.count);
      return count === 0 ? 0 : sum(errorsOf) / count;
    },
    target: () => sum((s) => s.targetRateSeconds) / seconds,
    achieved: () => sum((s) => s.achievedRateSeconds) / seconds,
    dropped: () => sum((s) => s.dropped) / seconds,
  };
  return perSecond[stat]();
}

import type { Threshold } from "../core/profile.ts";
import type { ThresholdResult } from "../core/run.ts";
import {
  evaluateThreshold,
  formatMeasured,
  type ParsedThreshold,
  parseThreshold,
  type StepTotals,
} from "../core/threshold.ts";
import { JOURNEY_STEP } from "../core/window.ts";
import type { RunStats } from "./run-stats.ts";

interface Watched {
  spec: Threshold;
  parsed: ParsedThreshold;
}

/** Requests a sliding window must hold before an abort threshold may stop the run on it. */
export const MIN_ABORT_SAMPLES = 20;

function requestsIn(totals: ReadonlyMap<string, StepTotals>): number {
  let n = 0;
  for (const [step, t] of totals) if (step !== JOURNEY_STEP) n += t.count;
  return n;
}

/** A threshold that failed over its sliding window. */
export interface AbortReason {
  expression: string;
  value: string;
}

/**
 * The profile's thresholds over a run: checked each second over their sliding windows (those
 * with abortOnFail stop the run), and over the whole run at the end.
 */
export class ThresholdWatch {
  private readonly watched: Watched[];
  /** Highest arrival rate (per second, over an abort window) at which every abort threshold held. */
  highestRateHeld = 0;

  constructor(thresholds: ReadonlyArray<Threshold>) {
    this.watched = thresholds.map((spec) => {
      const r = parseThreshold(spec.expression);
      if (!r.ok) throw new Error(`threshold ${spec.expression}: ${r.error}`);
      return { spec, parsed: r.threshold };
    });
  }

  get hasAbort(): boolean {
    return this.watched.some((w) => w.spec.abortOnFail);
  }

  /** Checks the abort thresholds over their sliding windows; the first failing one, if any. */
  check(stats: RunStats, elapsedSeconds: number): AbortReason | undefined {
    let allHeld = true;
    let rate = 0;
    for (const { spec, parsed } of this.watched) {
      if (!spec.abortOnFail || elapsedSeconds < spec.delayAbortEval) continue;
      const totals = stats.windowTotals(spec.window);
      // A handful of requests is noise, not evidence: one error in five is not "20 % errors".
      if (requestsIn(totals) < MIN_ABORT_SAMPLES) {
        allHeld = false;
        continue;
      }
      const r = evaluateThreshold(parsed, totals);
      if (!r.ok) {
        allHeld = false;
        return { expression: spec.expression, value: formatMeasured(parsed, r.value) };
      }
      const journey = totals.get("journey");
      if (journey) rate = Math.max(rate, journey.achieved / spec.window);
    }
    if (allHeld && rate > 0) this.highestRateHeld = Math.max(this.highestRateHeld, rate);
    return undefined;
  }

  /** Every threshold over the whole run. */
  final(stats: RunStats): ThresholdResult[] {
    return this.watched.map(({ spec, parsed }) => {
      const r = evaluateThreshold(parsed, stats.totals);
      return { expression: spec.expression, ok: r.ok, value: r.value, abortOnFail: spec.abortOnFail };
    });
  }
}

/**
 * Whether one constant-rate step of a capacity test held its SLOs: the measured seconds are cut
 * into back-to-back evaluation windows, and an SLO breaks only when it fails in enough
 * consecutive windows (a sustained failure, not one noisy second). Pure.
 */
import {
  formatMeasured,
  holds,
  measure,
  type ParsedThreshold,
  totalsFromWindows,
} from "../../core/threshold.ts";
import { JOURNEY_STEP, type Window } from "../../core/window.ts";

export interface SloBreak {
  expression: string;
  /** The journey step the SLO looks at (or the step with most errors for whole-run SLOs). */
  step: string | undefined;
  /** Its value over the first failing window, with unit. */
  value: string;
  /** Seconds into the measured part where the sustained failure began. */
  atSecond: number;
}

export interface StepVerdict {
  ok: boolean;
  /** Broken SLOs, the earliest first. */
  broken: SloBreak[];
  /** Measured over the whole measured part: arrivals started and requests sent per second. */
  journeysPerSecond: number;
  requestsPerSecond: number;
  /** Every SLO's value over the whole measured part, for the report. */
  values: { expression: string; value: string; ok: boolean }[];
}

export interface VerdictOptions {
  /** Epoch seconds the measured part covers: [from, to). */
  from: number;
  to: number;
  windowSeconds: number;
  /** Consecutive failing windows that make a break (≥ 2, so one bad window is noise). */
  sustainWindows: number;
}

/** The step where a whole-run SLO failed most: the one with the most errors, or the slowest p95. */
function culprit(t: ParsedThreshold, windows: ReadonlyArray<Window>): string | undefined {
  if (t.step !== undefined) return t.step;
  const totals = totalsFromWindows(windows.filter((w) => w.step !== JOURNEY_STEP));
  let best: string | undefined;
  let worst = -1;
  for (const [step, s] of totals) {
    const score =
      t.kind === "ratio"
        ? s.count === 0
          ? 0
          : s.errors / s.count
        : s.latency.getValueAtPercentile(t.percentile ?? 95);
    if (score > worst) {
      worst = score;
      best = step;
    }
  }
  return best;
}

/** Judges one step's windows against the SLOs. */
export function judgeStep(
  windows: ReadonlyArray<Window>,
  slos: ReadonlyArray<ParsedThreshold>,
  o: VerdictOptions,
): StepVerdict {
  const measured = windows.filter((w) => w.second >= o.from && w.second < o.to);
  const seconds = Math.max(1, o.to - o.from);
  const blocks: Window[][] = [];
  for (let s = o.from; s + o.windowSeconds <= o.to; s += o.windowSeconds)
    blocks.push(measured.filter((w) => w.second >= s && w.second < s + o.windowSeconds));
  const broken: SloBreak[] = [];
  for (const t of slos) {
    let streak = 0;
    for (const [i, block] of blocks.entries()) {
      const value = measure(t, totalsFromWindows(block));
      // A window with no data for this SLO neither breaks nor mends a streak.
      if (value === null) continue;
      streak = holds(t, value) ? 0 : streak + 1;
      if (streak >= o.sustainWindows) {
        const first = i - streak + 1;
        const firstBlock = blocks[first]!;
        broken.push({
          expression: t.expression,
          step: culprit(t, firstBlock),
          value: formatMeasured(t, measure(t, totalsFromWindows(firstBlock))),
          atSecond: first * o.windowSeconds,
        });
        break;
      }
    }
  }
  const whole = totalsFromWindows(measured);
  const values = slos.map((t) => {
    const value = measure(t, whole);
    return { expression: t.expression, value: formatMeasured(t, value), ok: holds(t, value) };
  });
  // An SLO with no data at all (a typo in a step name) cannot pass: it breaks the step.
  for (const [i, v] of values.entries())
    if (v.value === "no data" && !broken.some((b) => b.expression === v.expression))
      broken.push({ expression: v.expression, step: slos[i]!.step, value: "no data", atSecond: 0 });
  broken.sort((a, b) => a.atSecond - b.atSecond);
  let requests = 0;
  for (const [step, t] of whole) if (step !== JOURNEY_STEP) requests += t.count;
  return {
    ok: broken.length === 0,
    broken,
    journeysPerSecond: (whole.get(JOURNEY_STEP)?.achieved ?? 0) / seconds,
    requestsPerSecond: requests / seconds,
    values,
  };
}

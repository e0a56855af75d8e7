/**
 * The capacity search: ramp the arrival rate step by step until a step breaks its SLOs, narrow
 * the gap between the highest good and the lowest bad rate, then repeat the last good step to
 * confirm it. Pure: it decides the next step from the steps so far.
 */
import type { SloBreak } from "./step-verdict.ts";

export interface StepRecord {
  rate: number;
  ok: boolean;
  purpose: StepPurpose;
  broken: SloBreak[];
}

export type StepPurpose = "ramp" | "refine" | "confirm";

export interface SearchOptions {
  startRate: number;
  maxRate: number;
  /** Ramp factor between steps before the first break (2 doubles). */
  growth: number;
  /** Stop narrowing when bad/good ≤ 1 + resolution. */
  resolution: number;
  maxSteps: number;
}

export type NextStep =
  | { kind: "step"; rate: number; purpose: StepPurpose }
  | {
      kind: "done";
      /** Highest confirmed (or, out of steps, highest) good rate; 0 when even the first broke. */
      capacity: number;
      /** The lowest rate that broke, if any. */
      knee: number | undefined;
      confirmed: boolean;
      reason: string;
    };

const round = (r: number) => Math.round(r * 100) / 100;

/** What to run next, given every step so far (in order). */
export function nextStep(history: ReadonlyArray<StepRecord>, o: SearchOptions): NextStep {
  const bad = history.filter((s) => !s.ok).map((s) => s.rate);
  const lowBad = bad.length > 0 ? Math.min(...bad) : undefined;
  const goods = history.filter((s) => s.ok && (lowBad === undefined || s.rate < lowBad)).map((s) => s.rate);
  const highGood = goods.length > 0 ? Math.max(...goods) : undefined;
  const outOfSteps = history.length >= o.maxSteps;

  if (lowBad === undefined) {
    const last = history[history.length - 1]?.rate;
    if (last === undefined) return { kind: "step", rate: round(o.startRate), purpose: "ramp" };
    if (last >= o.maxRate || outOfSteps)
      return {
        kind: "done",
        capacity: last,
        knee: undefined,
        confirmed: false,
        reason: `held every step up to ${last} journeys/s`,
      };
    return { kind: "step", rate: round(Math.min(o.maxRate, last * o.growth)), purpose: "ramp" };
  }
  if (highGood === undefined) {
    const lower = round(lowBad / o.growth);
    if (outOfSteps || lower < o.startRate / o.growth ** 2)
      return {
        kind: "done",
        capacity: 0,
        knee: lowBad,
        confirmed: false,
        reason: `broke already at ${lowBad} journeys/s`,
      };
    return { kind: "step", rate: lower, purpose: "ramp" };
  }
  if (outOfSteps)
    return {
      kind: "done",
      capacity: highGood,
      knee: lowBad,
      confirmed: false,
      reason: "out of steps before confirming",
    };
  if (lowBad / highGood > 1 + o.resolution) {
    const mid = round(Math.sqrt(highGood * lowBad));
    // Rounding may land on a rate already tried; then the gap is as narrow as it gets.
    if (mid > highGood && mid < lowBad) return { kind: "step", rate: mid, purpose: "refine" };
  }
  const timesHeld = history.filter((s) => s.ok && s.rate === highGood).length;
  if (timesHeld >= 2)
    return {
      kind: "done",
      capacity: highGood,
      knee: lowBad,
      confirmed: true,
      reason: `held ${highGood} journeys/s twice, broke at ${lowBad}`,
    };
  return { kind: "step", rate: highGood, purpose: "confirm" };
}

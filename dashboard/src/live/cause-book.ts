import { type CauseCounts, type CauseRow, causeRows, mergeCauses } from "../../../core/error-causes.ts";
import type { LiveStep } from "../../../core/live.ts";
import { JOURNEY_STEP } from "../../../core/names.ts";
import { ALL_REQUESTS } from "./step-figures.ts";

/** One step's failed requests by cause and how many requests (arrivals, on the journey) they are out of. */
interface StepCauses {
  causes: CauseCounts;
  /** Requests; on the journey step, arrivals scheduled (started + dropped). */
  total: number;
}

/** Seconds kept apart (so a replayed second replaces itself) before they fold into the baseline. */
const KEEP_SECONDS = 600;

/**
 * A run's errors by step and cause for the live errors table: the run's totals so far from the
 * REST run detail, plus each live second after it. A second pushed twice (a late worker) replaces
 * itself, so nothing is counted twice. Pure; memory bounded by KEEP_SECONDS.
 */
export class CauseBook {
  private baseline = new Map<string, StepCauses>();
  private after = Number.NEGATIVE_INFINITY;
  private readonly seconds = new Map<number, Map<string, StepCauses>>();

  /** Starts from totals up to and including `throughSecond` (the newest second the totals hold). */
  reset(
    steps: Readonly<Record<string, { count: number; dropped: number; causes: CauseCounts }>>,
    throughSecond: number,
  ): void {
    this.baseline = new Map();
    this.seconds.clear();
    this.after = throughSecond;
    for (const [step, s] of Object.entries(steps))
      this.baseline.set(step, {
        causes: mergeCauses({}, s.causes),
        total: totalOf(step, s.count, s.dropped),
      });
  }

  /** Records one live second (replacing it when it came before); seconds the baseline holds are ignored. */
  put(second: number, steps: Readonly<Record<string, LiveStep>>): void {
    if (second <= this.after) return;
    const entry = new Map<string, StepCauses>();
    for (const [step, s] of Object.entries(steps))
      entry.set(step, { causes: s.causes, total: totalOf(step, s.count, s.dropped) });
    this.seconds.set(second, entry);
    if (this.seconds.size > KEEP_SECONDS) this.fold(Math.min(...this.seconds.keys()));
  }

  /** Table rows, most frequent first, with each cause's share of its step's requests. */
  rows(): CauseRow[] {
    const byStep: Record<string, CauseCounts> = {};
    const totals: Record<string, number> = {};
    const add = (step: string, s: StepCauses) => {
      byStep[step] = mergeCauses(byStep[step] ?? {}, s.causes);
      totals[step] = (totals[step] ?? 0) + s.total;
    };
    for (const [step, s] of this.baseline) add(step, s);
    for (const entry of this.seconds.values()) for (const [step, s] of entry) add(step, s);
    return causeRows(byStep, totals);
  }

  /**
   * A step's failed requests by cause in the newest live second (every step but the journey
   * merged for ALL_REQUESTS), or undefined before one arrived.
   */
  newest(step: string): CauseCounts | undefined {
    if (this.seconds.size === 0) return undefined;
    const entry = this.seconds.get(Math.max(...this.seconds.keys()));
    if (step !== ALL_REQUESTS) return entry?.get(step)?.causes;
    const merged: CauseCounts = {};
    for (const [name, s] of entry ?? []) if (name !== JOURNEY_STEP) mergeCauses(merged, s.causes);
    return merged;
  }

  /**
   * The causes to name for a figure that has no latency: the newest live second's, or, before any
   * live second (a finished run opened afterwards), the run's totals so far, marked `whole`.
   */
  causesFor(step: string): { causes: CauseCounts | undefined; whole: boolean } {
    const newest = this.newest(step);
    if (newest !== undefined) return { causes: newest, whole: false };
    if (step !== ALL_REQUESTS) return { causes: this.baseline.get(step)?.causes, whole: true };
    const merged: CauseCounts = {};
    for (const [name, s] of this.baseline) if (name !== JOURNEY_STEP) mergeCauses(merged, s.causes);
    return { causes: merged, whole: true };
  }

  private fold(second: number): void {
    for (const [step, s] of this.seconds.get(second) ?? []) {
      const base = this.baseline.get(step) ?? { causes: {}, total: 0 };
      mergeCauses(base.causes, s.causes);
      base.total += s.total;
      this.baseline.set(step, base);
    }
    this.seconds.delete(second);
    this.after = Math.max(this.after, second);
  }
}

function totalOf(step: string, count: number, dropped: number): number {
  return step === JOURNEY_STEP ? count + dropped : count;
}

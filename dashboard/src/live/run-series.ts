import { type FigureKey, figureKeys, type StepFigures } from "./step-figures.ts";

/** uPlot's column format: x values first, then one array per series, all the same length. */
export type Aligned = [number[], ...Array<Array<number | null>>];

/**
 * Per-second figures of one run, per step, kept column-wise so a chart reads them without
 * copying. Upserts by second: a replayed or late window replaces its second, never duplicates
 * it. Keeps at most `maxPoints` seconds (the oldest drop off) so a long run cannot grow the page.
 */
export class RunSeries {
  readonly seconds: number[] = [];
  private readonly columns = new Map<string, Record<FigureKey, Array<number | null>>>();

  constructor(readonly maxPoints = 7200) {}

  get steps(): string[] {
    return [...this.columns.keys()];
  }

  get length(): number {
    return this.seconds.length;
  }

  /** Records one second; `steps` maps step name to its figures. */
  put(second: number, steps: Record<string, StepFigures>): void {
    const index = this.slot(second);
    for (const [step, figures] of Object.entries(steps)) {
      const column = this.column(step);
      for (const key of figureKeys) column[key][index] = figures[key];
    }
  }

  /** Columns for a chart: `[seconds, step.key for each key]` (missing values are null). */
  aligned(step: string, keys: ReadonlyArray<FigureKey>): Aligned {
    const column = this.columns.get(step);
    const empty = () => this.seconds.map(() => null);
    return [this.seconds, ...keys.map((k) => (column ? column[k] : empty()))];
  }

  /** The same figure across several steps: `[seconds, stepA.key, stepB.key, …]`. */
  acrossSteps(steps: ReadonlyArray<string>, key: FigureKey): Aligned {
    return [this.seconds, ...steps.map((s) => this.columns.get(s)?.[key] ?? this.seconds.map(() => null))];
  }

  /**
   * Σ `numerator` / Σ `denominator` of a step over every second held, i.e. over the window the
   * charts show (an error share of all requests, not of the newest second); null without data.
   */
  ratioOver(step: string, numerator: FigureKey, denominator: FigureKey): number | null {
    const column = this.columns.get(step);
    if (!column) return null;
    let top = 0;
    let bottom = 0;
    for (let i = 0; i < this.seconds.length; i++) {
      const n = column[numerator][i];
      const d = column[denominator][i];
      if (n === null || n === undefined || d === null || d === undefined) continue;
      top += n;
      bottom += d;
    }
    return bottom > 0 ? top / bottom : null;
  }

  /** The newest figures of a step, or undefined before its first second. */
  latest(step: string): StepFigures | undefined {
    return this.latestWith(step, () => true);
  }

  /** The figures of the newest second of a step that `wanted` accepts, or undefined when none does. */
  latestWith(step: string, wanted: (figures: StepFigures) => boolean): StepFigures | undefined {
    const column = this.columns.get(step);
    if (!column) return undefined;
    for (let i = this.seconds.length - 1; i >= 0; i--) {
      const figures = {} as StepFigures;
      for (const key of figureKeys) figures[key] = column[key][i] ?? null;
      if (wanted(figures)) return figures;
    }
    return undefined;
  }

  private column(step: string): Record<FigureKey, Array<number | null>> {
    let column = this.columns.get(step);
    if (!column) {
      column = {} as Record<FigureKey, Array<number | null>>;
      for (const key of figureKeys) column[key] = this.seconds.map(() => null);
      this.columns.set(step, column);
    }
    return column;
  }

  /** The index of `second`, inserting a null row (in order) when it is new. */
  private slot(second: number): number {
    const last = this.seconds.length - 1;
    if (last >= 0 && this.seconds[last] === second) return last;
    let index: number;
    if (last < 0 || second > this.seconds[last]!) {
      index = this.seconds.length;
      this.seconds.push(second);
      for (const column of this.columns.values()) for (const key of figureKeys) column[key].push(null);
    } else {
      index = lowerBound(this.seconds, second);
      if (this.seconds[index] === second) return index;
      this.seconds.splice(index, 0, second);
      for (const column of this.columns.values())
        for (const key of figureKeys) column[key].splice(index, 0, null);
    }
    if (this.seconds.length > this.maxPoints) {
      const excess = this.seconds.length - this.maxPoints;
      this.seconds.splice(0, excess);
      for (const column of this.columns.values()) for (const key of figureKeys) column[key].splice(0, excess);
      index -= excess;
    }
    return index;
  }
}

function lowerBound(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

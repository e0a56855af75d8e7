import type { Aligned } from "./run-series.ts";

export interface OverlayInput {
  /** Epoch seconds the run started; x becomes seconds since then. */
  startSecond: number;
  /** `[epochSeconds, values]` of one figure of one run. */
  columns: Aligned;
}

/**
 * Puts several runs' series on one "seconds into the run" axis, so a comparison overlays
 * like with like. Seconds present in one run only are gaps in the others.
 */
export function overlay(inputs: ReadonlyArray<OverlayInput>): Aligned {
  const rows = new Map<number, Array<number | null>>();
  inputs.forEach((input, i) => {
    const [xs, ys = []] = input.columns;
    xs.forEach((x, j) => {
      const offset = Math.round(x - input.startSecond);
      let row = rows.get(offset);
      if (!row) {
        row = inputs.map(() => null);
        rows.set(offset, row);
      }
      row[i] = ys[j] ?? null;
    });
  });
  const offsets = [...rows.keys()].sort((a, b) => a - b);
  return [offsets, ...inputs.map((_, i) => offsets.map((o) => rows.get(o)![i] ?? null))];
}

import { type CauseRow, DROPPED } from "../../../core/error-causes.ts";
import { JOURNEY_STEP } from "../../../core/names.ts";
import { formatPercent } from "../format.ts";
import type { Aligned } from "./run-series.ts";

/**
 * Why a latency chart draws no line although seconds were charted: no request (or journey) of
 * `step` succeeded in any of them. Names the step's failure causes with count and share, or, when
 * it has none of its own (the journey), every step's summed by cause. "" when there is a line or
 * nothing charted yet.
 */
export function latencyGap(data: Aligned, step: string, causes: ReadonlyArray<CauseRow>): string {
  if (data[0].length === 0 || emptyPoints(data) < data[0].length) return "";
  const named = failedNames(step, causes);
  const what = step === JOURNEY_STEP ? "No journey completed" : `No request of ${step} succeeded`;
  return `${what}, so there is no latency to chart${named.length > 0 ? `. Failed: ${named.join(", ")}` : ""}.`;
}

/**
 * Why the latency line breaks: at how many charted points between its first and last value no
 * request (or journey) of `step` succeeded, with the step's failure causes as latencyGap names
 * them. Points before the first value and after the last are not breaks: there the first journeys
 * are still under way, or the run has ended. "" when the line has no break, or no point at all
 * (latencyGap says why then).
 */
export function latencyHoles(data: Aligned, step: string, causes: ReadonlyArray<CauseRow>): string {
  const xs = data[0];
  const filled = xs.map((_, i) => hasValue(data, i));
  const first = filled.indexOf(true);
  if (first === -1) return "";
  const last = filled.lastIndexOf(true);
  let holes = 0;
  for (let i = first + 1; i < last; i++) if (!filled[i]) holes++;
  if (holes === 0) return "";
  const named = failedNames(step, causes);
  const what = step === JOURNEY_STEP ? "no journey succeeded" : `no request of ${step} succeeded`;
  const interval = xs.length > 1 ? xs[1]! - xs[0]! : 1;
  const points =
    interval === 1
      ? `${holes} of ${xs.length} seconds`
      : `${holes} of ${xs.length} points (${interval} s each)`;
  return `No line in ${points}: ${what} in them${named.length > 0 ? `. Failed in the run: ${named.join(", ")}` : ""}.`;
}

/** How many charted points no series has a value at. */
function emptyPoints(data: Aligned): number {
  let empty = 0;
  for (let i = 0; i < data[0].length; i++) if (!hasValue(data, i)) empty++;
  return empty;
}

/** True when some series has a value at point `i`. */
function hasValue(data: Aligned, i: number): boolean {
  for (let c = 1; c < data.length; c++) {
    const v = data[c]![i];
    if (v !== null && v !== undefined) return true;
  }
  return false;
}

/** A step's failure causes as "40 × connection refused" with their share (the journey: every step's, summed by cause), three at most. */
function failedNames(step: string, causes: ReadonlyArray<CauseRow>): string[] {
  const failures = causes.filter((r) => r.cause !== DROPPED);
  const own = failures.filter((r) => r.step === step);
  const named =
    own.length > 0
      ? own.map((r) => `${r.count} × ${r.label} (${formatPercent(r.share, 1)})`)
      : [...byCause(failures).values()].map((c) => `${c.count} × ${c.label} (in ${c.steps.join(", ")})`);
  return named.slice(0, 3);
}

/** Rows of one cause over several steps summed, in the rows' order (most frequent first). */
function byCause(rows: ReadonlyArray<CauseRow>) {
  const out = new Map<string, { label: string; count: number; steps: string[] }>();
  for (const r of rows) {
    const c = out.get(r.cause) ?? { label: r.label, count: 0, steps: [] };
    c.count += r.count;
    c.steps.push(r.step);
    out.set(r.cause, c);
  }
  return out;
}

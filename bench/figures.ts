/**
 * How a benchmark hands its headline figures to `npm run bench` (bench/index.ts): each figure
 * beside its same-run baseline. Printed as a table either way; appended as JSON lines to
 * BENCH_FIGURES_FILE when the index runs the bench.
 */
import { appendFileSync } from "node:fs";

export interface BenchFigure {
  /** What was measured, with its conditions ("product page, PGlite (thread), 16 connections"). */
  measure: string;
  /** The figure with its unit ("2,975 req/s"). */
  value: string;
  /** The same-run baseline it is compared with, with its unit. */
  baseline: string;
  /** value against baseline in words ("38 % of the ceiling", "0.8 ms lag"). */
  ratio?: string;
  /** The goal, when the issue sets one ("≥ 25 %"). */
  goal?: string;
  /** Whether the goal was met; undefined when there is none. */
  met?: boolean;
}

/** Prints the figures as a table and hands them to the index when it runs this bench. */
export function reportFigures(bench: string, figures: BenchFigure[]): void {
  console.log(`\n${bench}: headline figures`);
  for (const f of figures) {
    const verdict = f.met === undefined ? "" : f.met ? "  [goal met]" : "  [goal NOT met]";
    console.log(
      `  ${f.measure}: ${f.value} (baseline ${f.baseline}${f.ratio ? `; ${f.ratio}` : ""}${f.goal ? `; goal ${f.goal}` : ""})${verdict}`,
    );
  }
  const file = process.env.BENCH_FIGURES_FILE;
  if (file) for (const f of figures) appendFileSync(file, `${JSON.stringify({ bench, ...f })}\n`);
}

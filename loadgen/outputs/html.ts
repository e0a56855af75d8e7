import { renderReport } from "../../core/report/render.ts";
import type { RunStats } from "../run-stats.ts";
import { type RunSummary, reportModelOf } from "./summary.ts";

/** report.html of a finished run: the same renderer the hub uses for GET /runs/:id/report.html. */
export function htmlReport(summary: RunSummary, stats: RunStats): string {
  return renderReport(reportModelOf(summary, stats));
}

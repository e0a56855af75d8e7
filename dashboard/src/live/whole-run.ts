import { noLatencyReason } from "../../../core/error-causes.ts";
import type { WindowSummary } from "../../../core/window.ts";
import type { RunDetail } from "../api/types.ts";
import { formatMs } from "../format.ts";
import { FINISHED } from "./run-status.ts";

/** A latency tile's figure, and why it has none. */
export interface LatencyFigure {
  value: string;
  why: string;
}

/**
 * The p95 of a whole run's step (or all its requests) for a tile of a finished run: its latest
 * second is usually idle and would read "no request" after a run that sent hundreds. Without a
 * successful request it says why (the run's causes, or that no journey completed).
 */
export function wholeRunP95(summary: WindowSummary | undefined, journey = false): LatencyFigure {
  if (!summary || summary.count === 0)
    return { value: "–", why: journey ? "no journey started" : "no request" };
  if (summary.latency.count > 0) return { value: formatMs(summary.latency.p95), why: "" };
  return {
    value: "–",
    why: journey ? "no journey completed" : noLatencyReason(summary.count, summary.causes),
  };
}

/**
 * The detail whose totals the whole-run tiles show: `runId`'s, loaded once the run had ended. One
 * loaded while it ran holds the totals of its first seconds (none at its start: "no request"), so
 * between the run's end and the reload landing the tiles keep their live figures instead.
 */
export function finishedDetail(detail: RunDetail | undefined, runId: string): RunDetail | undefined {
  return detail?.run.runId === runId && FINISHED.has(detail.run.status) ? detail : undefined;
}

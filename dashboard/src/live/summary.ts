import { type Summary, SummarySchema } from "../../../core/api/summary.ts";

/** The manager summary as the dashboard shows it: the hub's answer plus its incident windows in words. */
export interface SummaryView extends Summary {
  windows: Array<{ label: string; incidents: number; open: number; meanSecondsToResolve: number | null }>;
}

/**
 * Reads GET /summary through the contract the hub builds it with (core/api/summary.ts). Throws,
 * naming the field, when the answer does not match: a wrong shape is a bug to see, not to guess around.
 */
export function readSummary(body: unknown): SummaryView {
  const parsed = SummarySchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `the hub's summary does not match its contract: ${issue?.path.join(".") || "body"}: ${issue?.message}`,
    );
  }
  const s = parsed.data;
  return {
    ...s,
    windows: [
      {
        label: "24 h",
        incidents: s.incidents.last24h.count,
        open: s.incidents.last24h.open,
        meanSecondsToResolve: s.incidents.last24h.meanSecondsToResolve,
      },
      {
        label: "7 days",
        incidents: s.incidents.last7d.count,
        open: s.incidents.last7d.open,
        meanSecondsToResolve: s.incidents.last7d.meanSecondsToResolve,
      },
    ],
  };
}

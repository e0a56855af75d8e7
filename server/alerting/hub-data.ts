import { and, eq, gte, inArray, lt, sql } from "drizzle-orm";
import type { Db } from "../../db/open.ts";
import { probeResults, runs, windows } from "../../db/schema/hub.ts";
import type { AlertData, AlertDataSource, DataSpan, MetricSample } from "./data.ts";
import { originOf } from "./measure.ts";

export interface HubDataOptions {
  /** Steps any rule reads; windows of other steps are not loaded. */
  steps: () => ReadonlyArray<string>;
  /** Scraped shop series, when the hub stores them; none otherwise. */
  metrics?: (fromMs: number, untilMs: number) => Promise<MetricSample[]>;
}

/** Reads the evaluator's data from the hub's windows, runs and probe_results tables. Read-only. */
export function hubDataSource(db: Db, options: HubDataOptions): AlertDataSource {
  return {
    async load(span: DataSpan): Promise<AlertData> {
      const steps = [...options.steps()];
      const windowRows =
        steps.length === 0
          ? []
          : await db
              .select({
                runId: windows.runId,
                target: runs.target,
                step: windows.step,
                worker: windows.worker,
                second: windows.second,
                count: windows.count,
                errorCount: sql<number>`${windows.errConnect} + ${windows.errTimeout} + ${windows.errHttp4xx} + ${windows.errHttp5xx} + ${windows.errAssertion}`,
                targetRate: windows.targetRate,
                achievedRate: windows.achievedRate,
                dropped: windows.dropped,
                // Histograms are the heavy part: only for the span latency rules look at.
                latency: sql<
                  string | null
                >`case when ${windows.second} >= ${span.latencyFromSecond} then ${windows.latency} end`,
              })
              .from(windows)
              .leftJoin(runs, eq(runs.runId, windows.runId))
              .where(
                and(
                  gte(windows.second, span.windowsFromSecond),
                  lt(windows.second, span.untilSecond),
                  inArray(windows.step, steps),
                ),
              );
      const probeRows = await db
        .select({
          probe: probeResults.probe,
          region: probeResults.region,
          target: probeResults.target,
          at: probeResults.startedAt,
          ok: probeResults.ok,
          totalMs: probeResults.totalMs,
        })
        .from(probeResults)
        .where(gte(probeResults.startedAt, span.probesFromMs));
      const origins = new Map<string, string>();
      const origin = (url: string | null) => {
        if (!url) return "";
        const known = origins.get(url);
        if (known !== undefined) return known;
        const computed = originOf(url);
        origins.set(url, computed);
        return computed;
      };
      return {
        windows: windowRows.map((w) => ({
          ...w,
          target: origin(w.target),
          errorCount: Number(w.errorCount),
          latency: w.latency ?? undefined,
        })),
        probes: probeRows,
        metrics: options.metrics ? await options.metrics(span.metricsFromMs, span.untilSecond * 1000) : [],
      };
    },
  };
}

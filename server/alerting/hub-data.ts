import { and, eq, gte, inArray, lt, notInArray, or, sql } from "drizzle-orm";
import { DEFAULT_PROJECT_ID } from "../../core/api/projects.ts";
import type { Db } from "../../db/open.ts";
import { probeResults, projects, runs, windows } from "../../db/schema/hub.ts";
import type { AlertData, AlertDataSource, DataSpan, MetricSample, WindowSample } from "./data.ts";
import { originOf } from "./measure.ts";
import { WindowIndex } from "./window-index.ts";

export interface HubDataOptions {
  /** Steps any rule reads; windows of other steps are not loaded. */
  steps: () => ReadonlyArray<string>;
  /** Scraped shop series, when the hub stores them; none otherwise. */
  metrics?: (fromMs: number, untilMs: number) => Promise<MetricSample[]>;
  now?: () => number;
  /** A run silent this long is over (its generator died); default 90 s. */
  runStaleMs?: number;
}

/** Runs older than this are never live: their alerts resolved long ago. */
const RUN_HORIZON_MS = 24 * 3600 * 1000;

/**
 * Seconds before the last evaluation's end re-read by every evaluation: windows arrive a second
 * or two late. Evaluations run after each ingest, many a second under load, so this span is what
 * each one costs: re-reading RECENT_SECONDS every time was 78 % of an evaluation's time at 80
 * windows/s (bench:alerting, 222 of 286 ms), and it grew with the ingest rate.
 */
const LATE_SECONDS = 10;
/**
 * Seconds re-read every RECENT_RELOAD_MS: a generator retrying after a short hub outage replays
 * windows within this span, and they count from then on.
 */
const RECENT_SECONDS = 120;
const RECENT_RELOAD_MS = 15_000;
/** Everything is re-read this often, healing anything replayed later than RECENT_SECONDS. */
const FULL_RELOAD_MS = 5 * 60 * 1000;

interface Covered {
  from: number;
  latencyFrom: number;
  until: number;
  steps: string;
  loadedAt: number;
  /** When the last RECENT_SECONDS were last re-read (or everything was). */
  recentAt: number;
}

/**
 * Reads the evaluator's data from the hub's windows, runs and probe_results tables. Read-only.
 * Windows are cached between evaluations: each one reads what came since the last plus
 * LATE_SECONDS, so a six-hour burn-rate window does not reload six hours of rows every second.
 */
export function hubDataSource(db: Db, options: HubDataOptions): AlertDataSource {
  const now = options.now ?? Date.now;
  const cache = new Map<string, WindowSample>();
  // The same windows with running sums per series and span: each evaluation moves them forward.
  const index = new WindowIndex();
  let covered: Covered | null = null;
  const origins = new Map<string, string>();
  const origin = (url: string | null) => {
    if (!url) return "";
    const known = origins.get(url);
    if (known !== undefined) return known;
    const computed = originOf(url);
    origins.set(url, computed);
    return computed;
  };

  /** Project ids → their `project` label value (slug), re-read every 10 s (a new project's first data may wait that long). */
  let labelsAt = Number.NEGATIVE_INFINITY;
  let labelsCache = new Map<string, string>();
  const projectLabels = async () => {
    const at = now();
    if (at - labelsAt >= 10_000) {
      const rows = await db.select({ id: projects.id, slug: projects.slug }).from(projects);
      labelsCache = new Map(rows.map((r) => [r.id, r.slug]));
      labelsAt = at;
    }
    return labelsCache;
  };

  const readWindows = async (steps: string[], from: number, until: number, latencyFrom: number) => {
    if (steps.length === 0 || from >= until) return [];
    const rows = await db
      .select({
        projectId: windows.projectId,
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
        >`case when ${windows.second} >= ${latencyFrom} then ${windows.latency} end`,
      })
      .from(windows)
      .leftJoin(runs, eq(runs.runId, windows.runId))
      .where(and(gte(windows.second, from), lt(windows.second, until), inArray(windows.step, steps)));
    const labels = await projectLabels();
    return rows.map(
      ({ projectId, ...w }): WindowSample => ({
        ...w,
        ...(projectId === DEFAULT_PROJECT_ID ? {} : { project: labels.get(projectId) ?? projectId }),
        target: origin(w.target),
        errorCount: Number(w.errorCount),
        latency: w.latency ?? undefined,
      }),
    );
  };

  const loadWindows = async (span: DataSpan): Promise<WindowSample[]> => {
    const steps = [...options.steps()].sort();
    const stepsKey = steps.join(",");
    const at = now();
    const full =
      covered === null ||
      covered.steps !== stepsKey ||
      span.windowsFromSecond < covered.from ||
      span.latencyFromSecond < covered.latencyFrom ||
      span.untilSecond < covered.until ||
      at - covered.loadedAt >= FULL_RELOAD_MS;
    const recent = full || at - covered!.recentAt >= RECENT_RELOAD_MS;
    const from = full
      ? span.windowsFromSecond
      : Math.max(span.windowsFromSecond, covered!.until - (recent ? RECENT_SECONDS : LATE_SECONDS));
    const fresh = await readWindows(steps, from, span.untilSecond, span.latencyFromSecond);
    const reread = new Set<string>();
    for (const w of fresh) {
      const key = `${w.runId}|${w.step}|${w.worker}|${w.second}`;
      reread.add(key);
      cache.set(key, w);
      index.upsert(w);
    }
    // Gone from the span, or re-read and gone from the table (a run deleted): out of both.
    for (const [key, w] of cache) {
      if (w.second >= span.windowsFromSecond && (w.second < from || reread.has(key))) continue;
      cache.delete(key);
      index.remove(w);
    }
    index.evictBefore(span.windowsFromSecond);
    covered = {
      from: span.windowsFromSecond,
      latencyFrom: span.latencyFromSecond,
      until: span.untilSecond,
      steps: stepsKey,
      loadedAt: full ? at : covered!.loadedAt,
      recentAt: recent ? at : covered!.recentAt,
    };
    return [...cache.values()];
  };

  return {
    async load(span: DataSpan): Promise<AlertData> {
      const windowSamples = await loadWindows(span);
      const probeRows = await db
        .select({
          projectId: probeResults.projectId,
          probe: probeResults.probe,
          region: probeResults.region,
          target: probeResults.target,
          at: probeResults.startedAt,
          ok: probeResults.ok,
          totalMs: probeResults.totalMs,
        })
        .from(probeResults)
        .where(gte(probeResults.startedAt, span.probesFromMs));
      const at = now();
      const endedRows = await db
        .select({ runId: runs.runId })
        .from(runs)
        .where(
          and(
            gte(runs.startedAt, at - RUN_HORIZON_MS),
            or(
              notInArray(runs.status, ["starting", "running"]),
              lt(runs.updatedAt, new Date(at - (options.runStaleMs ?? 90_000))),
            ),
          ),
        );
      return {
        windows: windowSamples,
        windowIndex: index,
        endedRuns: new Set(endedRows.map((r) => r.runId)),
        probes: await (async () => {
          const labels = await projectLabels();
          return probeRows.map(({ projectId, ...p }) =>
            projectId === DEFAULT_PROJECT_ID ? p : { ...p, project: labels.get(projectId) ?? projectId },
          );
        })(),
        metrics: options.metrics ? await options.metrics(span.metricsFromMs, span.untilSecond * 1000) : [],
      };
    },
  };
}

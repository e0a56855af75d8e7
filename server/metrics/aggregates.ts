import { and, desc, gte, inArray, or, sql } from "drizzle-orm";
import { Gauge, type Registry } from "prom-client";
import { mergeEncoded } from "../../core/histogram.ts";
import { JOURNEY_STEP } from "../../core/window.ts";
import { loggableMessage } from "../../db/loggable-error.ts";
import type { Db } from "../../db/open.ts";
import { probeResults, runs, windows } from "../../db/schema/hub.ts";

/** Runs that ended this long ago still appear, so a scrape after the end sees final figures. */
const RECENT_MS = 5 * 60_000;
/** Latency quantiles cover the newest seconds of each run. */
const LATENCY_SECONDS = 30;
/**
 * Longest a scrape waits for the database: past it, /metrics answers with the figures of the last
 * read that finished (the read goes on and the next scrape sees it), so a stalled database never
 * stalls the hub's own metrics (queues, event loop), which are what tell why it stalled.
 */
const DATABASE_WAIT_MS = 2_000;

/**
 * Exposes run and probe aggregates on the hub's /metrics so an existing Prometheus can scrape
 * them: computed from the database at scrape time, bounded to active and recent runs.
 */
export function registerAggregates(registry: Registry, db: Db, now: () => number): void {
  const registers = [registry];
  let pending: Promise<void> | null = null;
  /** When the last database read finished (epoch ms), 0 before the first. */
  let readAt = 0;
  // One database read per scrape, shared by all gauges (the registry collects them concurrently),
  // waited for at most DATABASE_WAIT_MS.
  // The scrape's wait, shared by its gauges too (one timer per scrape, not one per gauge).
  let waiting: Promise<void> | null = null;
  const refresh = (): Promise<void> => {
    pending ??= collect()
      .then(() => {
        readAt = now();
      })
      .catch((error: unknown) => {
        console.error(`metrics: reading run and probe figures failed: ${loggableMessage(error)}`);
      })
      .finally(() => {
        pending = null;
      });
    if (waiting) return waiting;
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, DATABASE_WAIT_MS);
    });
    waiting = Promise.race([pending, waited]).finally(() => {
      clearTimeout(timer);
      waiting = null;
    });
    return waiting;
  };
  new Gauge({
    name: "peakwatch_hub_aggregates_age_seconds",
    help: `Seconds since the run and probe figures on /metrics were last read from the database (a scrape waits ${DATABASE_WAIT_MS / 1000} s for it, then shows the last ones read); -1 before the first read.`,
    registers,
    async collect() {
      await refresh();
      this.set(readAt === 0 ? -1 : Math.max(0, (now() - readAt) / 1000));
    },
  });
  const requests = new Gauge({
    name: "peakwatch_run_requests",
    help: "Requests (or journeys, step=journey) so far in an active or recent run.",
    labelNames: ["run", "step"],
    registers,
    collect: () => refresh(),
  });
  const errors = new Gauge({
    name: "peakwatch_run_errors",
    help: "Failed requests so far in an active or recent run, by error class.",
    labelNames: ["run", "step", "class"],
    registers,
    collect: () => refresh(),
  });
  const latency = new Gauge({
    name: "peakwatch_run_latency_seconds",
    help: `Latency quantiles over the newest ${LATENCY_SECONDS} s of a run, merged across workers.`,
    labelNames: ["run", "step", "quantile"],
    registers,
    collect: () => refresh(),
  });
  const arrival = new Gauge({
    name: "peakwatch_run_arrival_rate",
    help: "Target and achieved journey arrival rate per second in the newest second of a run.",
    labelNames: ["run", "kind"],
    registers,
    collect: () => refresh(),
  });
  const probeUp = new Gauge({
    name: "peakwatch_probe_up",
    help: "1 when a probe's state is up in a region, 0 when down or unknown.",
    labelNames: ["probe", "region"],
    registers,
    collect: () => refresh(),
  });
  const probeDuration = new Gauge({
    name: "peakwatch_probe_duration_seconds",
    help: "Phase timings of a probe's newest check.",
    labelNames: ["probe", "region", "phase"],
    registers,
    collect: () => refresh(),
  });
  const probeLast = new Gauge({
    name: "peakwatch_probe_last_check_timestamp_seconds",
    help: "When a probe's newest check started.",
    labelNames: ["probe", "region"],
    registers,
    collect: () => refresh(),
  });

  async function collect(): Promise<void> {
    const cutoff = now() - RECENT_MS;
    const active = await db
      .select({ runId: runs.runId })
      .from(runs)
      .where(
        or(
          inArray(runs.status, ["starting", "running"]),
          gte(runs.endedAt, cutoff),
          gte(runs.startedAt, cutoff),
        ),
      );
    const ids = active.map((r) => r.runId);
    // Gathered first and set together at the end: a scrape that stops waiting sees the last
    // complete read, never one half reset.
    const values: Array<[Gauge<string>, Record<string, string>, number]> = [];
    if (ids.length > 0) {
      const totals = await db
        .select({
          runId: windows.runId,
          step: windows.step,
          count: sql<number>`sum(${windows.count})::float8`,
          connect: sql<number>`sum(${windows.errConnect})::float8`,
          timeout: sql<number>`sum(${windows.errTimeout})::float8`,
          http4xx: sql<number>`sum(${windows.errHttp4xx})::float8`,
          http5xx: sql<number>`sum(${windows.errHttp5xx})::float8`,
          assertion: sql<number>`sum(${windows.errAssertion})::float8`,
          newest: sql<number>`max(${windows.second})::float8`,
        })
        .from(windows)
        .where(inArray(windows.runId, ids))
        .groupBy(windows.runId, windows.step);
      const newestByRun = new Map<string, number>();
      for (const t of totals) {
        values.push([requests, { run: t.runId, step: t.step }, t.count]);
        for (const cls of ["connect", "timeout", "http4xx", "http5xx", "assertion"] as const) {
          values.push([errors, { run: t.runId, step: t.step, class: cls }, t[cls]]);
        }
        newestByRun.set(t.runId, Math.max(newestByRun.get(t.runId) ?? 0, t.newest));
      }
      for (const [runId, newest] of newestByRun) {
        const recent = await db
          .select({
            step: windows.step,
            second: windows.second,
            latency: windows.latency,
            targetRate: windows.targetRate,
            achievedRate: windows.achievedRate,
          })
          .from(windows)
          .where(and(inArray(windows.runId, [runId]), gte(windows.second, newest - LATENCY_SECONDS + 1)));
        const bySteps = new Map<string, string[]>();
        let target = 0;
        let achieved = 0;
        for (const w of recent) {
          const list = bySteps.get(w.step);
          if (list) list.push(w.latency);
          else bySteps.set(w.step, [w.latency]);
          if (w.step === JOURNEY_STEP && w.second === newest) {
            target += w.targetRate;
            achieved += w.achievedRate;
          }
        }
        for (const [step, encoded] of bySteps) {
          const merged = mergeEncoded(encoded);
          if (merged.totalCount === 0) continue;
          for (const q of [0.5, 0.95, 0.99]) {
            values.push([
              latency,
              { run: runId, step, quantile: String(q) },
              merged.getValueAtPercentile(q * 100) / 1e6,
            ]);
          }
        }
        values.push([arrival, { run: runId, kind: "target" }, target]);
        values.push([arrival, { run: runId, kind: "achieved" }, achieved]);
      }
    }
    const latest = await db
      .selectDistinctOn([probeResults.probe, probeResults.region])
      .from(probeResults)
      .orderBy(probeResults.probe, probeResults.region, desc(probeResults.startedAt));
    for (const r of latest) {
      const labels = { probe: r.probe, region: r.region };
      values.push([probeUp, labels, r.state === "up" ? 1 : 0]);
      values.push([probeLast, labels, r.startedAt / 1000]);
      for (const [phase, ms] of Object.entries(r.phases as Record<string, number>)) {
        values.push([probeDuration, { ...labels, phase }, ms / 1000]);
      }
    }
    for (const g of [requests, errors, latency, arrival, probeUp, probeDuration, probeLast]) g.reset();
    for (const [gauge, labels, value] of values) gauge.set(labels, value);
  }
}

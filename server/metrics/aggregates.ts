import { and, desc, gte, inArray, or, sql } from "drizzle-orm";
import { Gauge, type Registry } from "prom-client";
import { mergeEncoded } from "../../core/histogram.ts";
import { JOURNEY_STEP } from "../../core/window.ts";
import type { Db } from "../../db/open.ts";
import { probeResults, runs, windows } from "../../db/schema/hub.ts";

/** Runs that ended this long ago still appear, so a scrape after the end sees final figures. */
const RECENT_MS = 5 * 60_000;
/** Latency quantiles cover the newest seconds of each run. */
const LATENCY_SECONDS = 30;

/**
 * Exposes run and probe aggregates on the hub's /metrics so an existing Prometheus can scrape
 * them: computed from the database at scrape time, bounded to active and recent runs.
 */
export function registerAggregates(registry: Registry, db: Db, now: () => number): void {
  const registers = [registry];
  let pending: Promise<void> | null = null;
  // One database read per scrape, shared by all gauges (the registry collects them concurrently).
  const refresh = (): Promise<void> => {
    pending ??= collect().finally(() => {
      pending = null;
    });
    return pending;
  };
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
    for (const g of [requests, errors, latency, arrival, probeUp, probeDuration, probeLast]) g.reset();
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
        requests.set({ run: t.runId, step: t.step }, t.count);
        for (const cls of ["connect", "timeout", "http4xx", "http5xx", "assertion"] as const) {
          errors.set({ run: t.runId, step: t.step, class: cls }, t[cls]);
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
          bySteps.set(w.step, [...(bySteps.get(w.step) ?? []), w.latency]);
          if (w.step === JOURNEY_STEP && w.second === newest) {
            target += w.targetRate;
            achieved += w.achievedRate;
          }
        }
        for (const [step, encoded] of bySteps) {
          const merged = mergeEncoded(encoded);
          if (merged.totalCount === 0) continue;
          for (const q of [0.5, 0.95, 0.99]) {
            latency.set(
              { run: runId, step, quantile: String(q) },
              merged.getValueAtPercentile(q * 100) / 1e6,
            );
          }
        }
        arrival.set({ run: runId, kind: "target" }, target);
        arrival.set({ run: runId, kind: "achieved" }, achieved);
      }
    }
    const latest = await db
      .selectDistinctOn([probeResults.probe, probeResults.region])
      .from(probeResults)
      .orderBy(probeResults.probe, probeResults.region, desc(probeResults.startedAt));
    for (const r of latest) {
      const labels = { probe: r.probe, region: r.region };
      probeUp.set(labels, r.state === "up" ? 1 : 0);
      probeLast.set(labels, r.startedAt / 1000);
      for (const [phase, ms] of Object.entries(r.phases as Record<string, number>)) {
        probeDuration.set({ ...labels, phase }, ms / 1000);
      }
    }
  }
}

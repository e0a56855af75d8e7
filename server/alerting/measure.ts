import type { Labels } from "../../core/fingerprint.ts";
import type { Histogram } from "../../core/histogram.ts";
import { type BurnRateRuleSpec, compare, type Query, type RuleSpec } from "../../core/rule.ts";
import type { AlertData, MetricSample, ProbeSample, WindowSample } from "./data.ts";
import { histogramCache } from "./histogram-cache.ts";
import { type Cell, cellOf, compareIds, type SpanAggregate, spanRates } from "./window-cells.ts";

/** One series a rule measured: its labels, value (null: not enough data) and whether it breaches. */
export interface Series {
  labels: Labels;
  value: number | null;
  breaching: boolean;
}

/** A run's sums over one step's span, and how to get the span's merged latency. */
interface WindowAggregate extends SpanAggregate {
  latency(): Histogram;
}

/**
 * Aggregates are shared by every rule over the same (step, span) within one evaluation: with
 * 1,000 rules over a handful of steps, each window is summed once, not once per rule.
 */
const memo = new WeakMap<AlertData, Map<string, unknown>>();
function memoized<T>(data: AlertData, key: string, compute: () => T): T {
  let cache = memo.get(data);
  if (!cache) {
    cache = new Map();
    memo.set(data, cache);
  }
  if (!cache.has(key)) cache.set(key, compute());
  return cache.get(key) as T;
}

/** The seconds a window of `span` seconds covers at `now`: the last `span` whole seconds. */
function secondsRange(now: number, span: number): [number, number] {
  const until = Math.floor(now / 1000);
  return [until - Math.ceil(span), until];
}

function aggregateWindows(data: AlertData, step: string, span: number, now: number) {
  const [from, until] = secondsRange(now, span);
  return memoized(data, `w|${step}|${from}|${until}`, () => {
    const index = data.windowIndex;
    const out = new Map<string, WindowAggregate>();
    if (index) {
      for (const [runId, agg] of index.aggregates(step, from, until)) {
        const latency = () =>
          memoized(data, `h|${step}|${from}|${until}|${runId}`, () =>
            index.latency(runId, step, from, until),
          );
        out.set(runId, { ...agg, latency });
      }
      return out;
    }
    // The full evaluation: every window of the span summed afresh, latencies merged afresh.
    const byRun = new Map<string, Map<number, WindowSample[]>>();
    for (const w of data.windows as WindowSample[]) {
      if (w.step !== step || w.second < from || w.second >= until) continue;
      let seconds = byRun.get(w.runId);
      if (!seconds) {
        seconds = new Map();
        byRun.set(w.runId, seconds);
      }
      const list = seconds.get(w.second);
      if (list) list.push(w);
      else seconds.set(w.second, [w]);
    }
    for (const [runId, seconds] of [...byRun].sort(([a], [b]) => compareIds(a, b))) {
      const cells = new Map<number, Cell>();
      const latencies = new Map<number, string[]>();
      const agg = { count: 0, errorCount: 0, dropped: 0, latencySeconds: 0 };
      for (const [second, list] of seconds) {
        const cell = cellOf(list);
        cells.set(second, cell);
        agg.count += cell.count;
        agg.errorCount += cell.errorCount;
        agg.dropped += cell.dropped;
        if (cell.latencies.length > 0) {
          agg.latencySeconds++;
          latencies.set(second, cell.latencies);
        }
      }
      const latency = () =>
        memoized<Histogram>(data, `h|${step}|${from}|${until}|${runId}`, () =>
          histogramCache.merge(`${runId}|${step}`, latencies, from, until),
        );
      out.set(runId, { ...agg, ...spanRates((s) => cells.get(s), from, until), latency });
    }
    return out;
  });
}

const percentileOf = { p50: 50, p95: 95, p99: 99 } as const;

function measureWindows(query: Extract<Query, { source: "windows" }>, data: AlertData, now: number) {
  const out: Array<{ labels: Labels; value: number | null }> = [];
  for (const [runId, agg] of aggregateWindows(data, query.step, query.windowSeconds, now)) {
    const labels = { runId, step: query.step, target: agg.target };
    const enough = agg.count >= query.minCount && agg.count > 0;
    let value: number | null = null;
    switch (query.stat) {
      case "p50":
      case "p95":
      case "p99":
        if (enough && agg.latencySeconds > 0) {
          // Each percentile scans the counts: once per run and span, however many rules ask.
          const stat = query.stat;
          value = memoized(
            data,
            `p|${query.step}|${query.windowSeconds}|${now}|${runId}|${stat}`,
            () => agg.latency().getValueAtPercentile(percentileOf[stat]) / 1000,
          );
        }
        break;
      case "error_rate":
        value = enough ? agg.errorCount / agg.count : null;
        break;
      case "rate":
        value = agg.count / query.windowSeconds;
        break;
      case "achieved_ratio":
        value = agg.targetRate > 0 ? agg.achievedRate / agg.targetRate : null;
        break;
      case "dropped":
        value = agg.dropped;
        break;
    }
    out.push({ labels, value });
  }
  return out;
}

/** The `q`-quantile (0..1) of `values` by nearest rank; values are sorted in place. */
function quantile(values: number[], q: number): number {
  values.sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(q * values.length));
  return values[rank - 1]!;
}

function measureProbes(query: Extract<Query, { source: "probes" }>, data: AlertData, now: number) {
  const from = now - query.windowSeconds * 1000;
  // Grouped once per span and probe filter, whatever the number of rules reading it.
  const groups = memoized(data, `probes|${from}|${now}|${query.probe ?? ""}`, () => {
    const byKey = new Map<string, { labels: Labels; results: ProbeSample[]; ok: number }>();
    for (const p of data.probes) {
      if (p.at < from || p.at > now || (query.probe !== undefined && p.probe !== query.probe)) continue;
      const key = `${p.probe}|${p.region}`;
      let group = byKey.get(key);
      if (!group) {
        group = {
          labels: { probe: p.probe, region: p.region, target: originOf(p.target) },
          results: [],
          ok: 0,
        };
        byKey.set(key, group);
      }
      group.results.push(p);
      if (p.ok) group.ok++;
    }
    return [...byKey.values()];
  });
  return groups.map(({ labels, results, ok }) => {
    if (results.length < Math.max(1, query.minCount)) return { labels, value: null };
    if (query.stat === "success_ratio") return { labels, value: ok / results.length };
    const q = { latency_p50: 0.5, latency_p95: 0.95, latency_p99: 0.99 }[query.stat];
    return {
      labels,
      value: quantile(
        results.map((r) => r.totalMs),
        q,
      ),
    };
  });
}

function measureMetrics(query: Extract<Query, { source: "metrics" }>, data: AlertData, now: number) {
  const from = now - query.windowSeconds * 1000;
  const groups = new Map<string, { labels: Labels; samples: MetricSample[] }>();
  for (const m of data.metrics) {
    if (m.series !== query.series || m.at < from || m.at > now) continue;
    const key = JSON.stringify(Object.entries(m.labels).sort());
    let group = groups.get(key);
    if (!group) {
      group = { labels: { ...m.labels, series: m.series }, samples: [] };
      groups.set(key, group);
    }
    group.samples.push(m);
  }
  return [...groups.values()].map(({ labels, samples }) => {
    const values = samples.map((s) => s.value);
    const reduce = {
      last: () => samples.reduce((a, b) => (b.at >= a.at ? b : a)).value,
      avg: () => values.reduce((a, b) => a + b, 0) / values.length,
      min: () => Math.min(...values),
      max: () => Math.max(...values),
    }[query.stat];
    return { labels, value: reduce() };
  });
}

/** The origin of a URL (scheme, host, port), so probe and run alerts about one shop share a `target`. */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

/**
 * Burn rate = error ratio / error budget. The alert breaches when, for any window pair, both
 * the long and the short window burn faster than the pair's factor: the long window proves it
 * matters, the short one that it is still happening (so it resets quickly after recovery).
 * The value is the highest long-window burn rate among the pairs.
 */
function measureBurnRate(rule: BurnRateRuleSpec, data: AlertData, now: number): Series[] {
  const budget = 1 - rule.objective;
  const burnOf = (span: number) => {
    const rates = new Map<string, { target: string; burn: number | null }>();
    for (const [runId, agg] of aggregateWindows(data, rule.step, span, now)) {
      const enough = agg.count > 0 && agg.count >= rule.minCount;
      rates.set(runId, { target: agg.target, burn: enough ? agg.errorCount / agg.count / budget : null });
    }
    return rates;
  };
  const perRun = new Map<string, { target: string; value: number | null; breaching: boolean }>();
  for (const pair of rule.windows) {
    const long = burnOf(pair.longSeconds);
    const short = burnOf(pair.shortSeconds);
    for (const [runId, l] of long) {
      const s = short.get(runId);
      const entry = perRun.get(runId) ?? { target: l.target, value: null, breaching: false };
      if (l.burn !== null) entry.value = Math.max(entry.value ?? 0, l.burn);
      if (l.burn !== null && s?.burn != null && l.burn > pair.factor && s.burn > pair.factor)
        entry.breaching = true;
      perRun.set(runId, entry);
    }
  }
  return [...perRun].map(([runId, e]) => ({
    labels: { runId, step: rule.step, target: e.target },
    value: e.value,
    breaching: e.breaching,
  }));
}

/** Every series a rule measures at `now`. Pure: the same rule, data and instant give the same answer. */
export function measure(rule: RuleSpec, data: AlertData, now: number): Series[] {
  if (rule.kind === "burn_rate") return measureBurnRate(rule, data, now);
  const measured = {
    windows: () => measureWindows(rule.query as Extract<Query, { source: "windows" }>, data, now),
    probes: () => measureProbes(rule.query as Extract<Query, { source: "probes" }>, data, now),
    metrics: () => measureMetrics(rule.query as Extract<Query, { source: "metrics" }>, data, now),
  }[rule.query.source]();
  return measured.map((s) => ({
    ...s,
    breaching: s.value !== null && compare(s.value, rule.comparator, rule.threshold),
  }));
}

import type { Sample } from "./exposition.ts";

/** The shop series the hub keeps, for charts and alert rules. */
export const scrapedSeries = [
  "event_loop_lag_seconds",
  "in_flight",
  "cpu_cores",
  "memory_rss_bytes",
  "heap_used_bytes",
  "request_rate",
  "error_rate",
] as const;
export type ScrapedSeries = (typeof scrapedSeries)[number];

/** Cumulative counters from the previous scrape, to turn them into per-second rates. */
export interface CounterState {
  at: number;
  cpuSeconds?: number;
  requests?: number;
  errors?: number;
}

function named(samples: ReadonlyArray<Sample>, name: string): Sample[] | undefined {
  const found = samples.filter((s) => s.name === name);
  return found.length > 0 ? found : undefined;
}

function sum(samples: ReadonlyArray<Sample> | undefined): number | undefined {
  if (!samples || samples.length === 0) return undefined;
  return samples.reduce((acc, s) => acc + s.value, 0);
}

/** A per-second rate between two counter readings; undefined on the first reading or a reset. */
function rate(now: number | undefined, before: number | undefined, seconds: number): number | undefined {
  if (now === undefined || before === undefined || seconds <= 0 || now < before) return undefined;
  return (now - before) / seconds;
}

/**
 * Picks the kept series out of a parsed exposition. Pure: counters become rates against the
 * previous state, which is returned for the next scrape. Missing metrics are skipped.
 */
export function extractSeries(
  samples: ReadonlyArray<Sample>,
  at: number,
  previous: CounterState | undefined,
): { values: Partial<Record<ScrapedSeries, number>>; state: CounterState } {
  const values: Partial<Record<ScrapedSeries, number>> = {};
  const lag =
    named(samples, "nodejs_eventloop_lag_p99_seconds") ?? named(samples, "nodejs_eventloop_lag_seconds");
  if (lag?.[0]) values.event_loop_lag_seconds = lag[0].value;
  const inFlight = sum(named(samples, "http_requests_in_flight"));
  if (inFlight !== undefined) values.in_flight = inFlight;
  const rss = named(samples, "process_resident_memory_bytes")?.[0];
  if (rss) values.memory_rss_bytes = rss.value;
  const heap = named(samples, "nodejs_heap_size_used_bytes")?.[0];
  if (heap) values.heap_used_bytes = heap.value;

  const counts = named(samples, "http_request_duration_seconds_count");
  const state: CounterState = {
    at,
    cpuSeconds: sum(named(samples, "process_cpu_seconds_total")),
    requests: sum(counts),
    errors: counts ? (sum(counts.filter((s) => s.labels.status?.startsWith("5"))) ?? 0) : undefined,
  };
  const seconds = previous ? (at - previous.at) / 1000 : 0;
  const cpu = rate(state.cpuSeconds, previous?.cpuSeconds, seconds);
  if (cpu !== undefined) values.cpu_cores = cpu;
  const requests = rate(state.requests, previous?.requests, seconds);
  if (requests !== undefined) values.request_rate = requests;
  const errors = rate(state.errors, previous?.errors, seconds);
  if (errors !== undefined) values.error_rate = errors;
  for (const key of Object.keys(values) as ScrapedSeries[])
    if (!Number.isFinite(values[key])) delete values[key];
  return { values, state };
}

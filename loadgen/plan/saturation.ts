/**
 * The shop's saturation signals from two scrapes of its Prometheus /metrics taken a few seconds
 * apart during a step: event-loop lag, CPU used, requests in flight, memory, database load.
 * Pure: text in, figures with units out. Absent metrics are left out, not reported as zero.
 */

export interface SaturationSignal {
  name: string;
  value: number;
  unit: string;
}

/** Sums the samples of each metric name (all label sets) in a Prometheus text exposition. */
export function parseExposition(text: string): Map<string, number> {
  const sums = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const value = Number(m[2]);
    if (Number.isFinite(value)) sums.set(m[1]!, (sums.get(m[1]!) ?? 0) + value);
  }
  return sums;
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Signals from a scrape at the start and one at the end of `seconds`. */
export function saturationSignals(
  before: Map<string, number>,
  after: Map<string, number>,
  seconds: number,
): SaturationSignal[] {
  const out: SaturationSignal[] = [];
  const gauge = (metric: string, name: string, unit: string, scale = 1, digits = 1) => {
    const v = after.get(metric);
    if (v !== undefined) out.push({ name, value: round(v * scale, digits), unit });
  };
  const rate = (metric: string, name: string, unit: string, scale = 1) => {
    const a = before.get(metric);
    const b = after.get(metric);
    if (a !== undefined && b !== undefined && seconds > 0)
      out.push({ name, value: round(((b - a) / seconds) * scale), unit });
  };
  gauge("nodejs_eventloop_lag_p99_seconds", "event-loop lag p99", "ms", 1000);
  gauge("nodejs_eventloop_lag_seconds", "event-loop lag", "ms", 1000);
  rate("process_cpu_seconds_total", "CPU", "% of one core", 100);
  gauge("http_requests_in_flight", "requests in flight", "requests", 1, 0);
  gauge("process_resident_memory_bytes", "resident memory", "MiB", 1 / 2 ** 20, 0);
  rate("shop_db_queries_total", "database queries", "queries/s");
  for (const [metric, v] of after)
    if (/pool/.test(metric) && !/_created$/.test(metric))
      out.push({ name: metric, value: round(v), unit: "" });
  return out;
}

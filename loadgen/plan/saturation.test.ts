import { describe, expect, it } from "vitest";
import { parseExposition, saturationSignals } from "./saturation.ts";

const scrape = (cpu: number, queries: number) =>
  parseExposition(
    [
      "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.",
      "# TYPE process_cpu_seconds_total counter",
      `process_cpu_seconds_total ${cpu}`,
      "nodejs_eventloop_lag_p99_seconds 0.0425",
      "http_requests_in_flight 12",
      "process_resident_memory_bytes 209715200",
      `shop_db_queries_total ${queries}`,
      'http_request_duration_seconds_count{method="GET",route="/api/products",status="200"} 10',
      'http_request_duration_seconds_count{method="POST",route="/api/checkout",status="201"} 5',
    ].join("\n"),
  );

describe("saturation signals", () => {
  it("sums label sets and skips comments", () => {
    expect(scrape(1, 0).get("http_request_duration_seconds_count")).toBe(15);
  });

  it("turns two scrapes into lag, CPU, in-flight, memory and database load with units", () => {
    const signals = saturationSignals(scrape(10, 1000), scrape(13, 1600), 4);
    expect(signals).toEqual([
      { name: "event-loop lag p99", value: 42.5, unit: "ms" },
      { name: "CPU", value: 75, unit: "% of one core" },
      { name: "requests in flight", value: 12, unit: "requests" },
      { name: "resident memory", value: 200, unit: "MiB" },
      { name: "database queries", value: 150, unit: "queries/s" },
    ]);
  });

  it("reports what one scrape can tell when the first did not answer", () => {
    const names = saturationSignals(new Map(), scrape(13, 1600), 4).map((s) => s.name);
    expect(names).toEqual(["event-loop lag p99", "requests in flight", "resident memory"]);
  });
});

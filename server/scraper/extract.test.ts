import { describe, expect, it } from "vitest";
import { parseExposition } from "./exposition.ts";
import { extractSeries } from "./extract.ts";

const exposition = (requests: number, errors: number, cpu: number) => `# HELP process_cpu_seconds_total cpu
# TYPE process_cpu_seconds_total counter
process_cpu_seconds_total ${cpu}
# HELP process_resident_memory_bytes rss
# TYPE process_resident_memory_bytes gauge
process_resident_memory_bytes 123456
# HELP nodejs_eventloop_lag_p99_seconds lag
# TYPE nodejs_eventloop_lag_p99_seconds gauge
nodejs_eventloop_lag_p99_seconds 0.012
# HELP http_requests_in_flight in flight
# TYPE http_requests_in_flight gauge
http_requests_in_flight 7
# HELP http_request_duration_seconds d
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/api/products",status="200"} ${requests - errors}
http_request_duration_seconds_sum{method="GET",route="/api/products",status="200"} 1
http_request_duration_seconds_count{method="GET",route="/api/products",status="200"} ${requests - errors}
http_request_duration_seconds_bucket{le="+Inf",method="POST",route="/api/checkout",status="503"} ${errors}
http_request_duration_seconds_sum{method="POST",route="/api/checkout",status="503"} 1
http_request_duration_seconds_count{method="POST",route="/api/checkout",status="503"} ${errors}
`;

describe("extractSeries", () => {
  it("keeps gauges at once and turns counters into per-second rates from the second scrape", () => {
    const first = extractSeries(parseExposition(exposition(100, 10, 1)), 10_000, undefined);
    expect(first.values).toEqual({
      event_loop_lag_seconds: 0.012,
      in_flight: 7,
      memory_rss_bytes: 123456,
    });
    const second = extractSeries(parseExposition(exposition(300, 30, 1.5)), 15_000, first.state);
    expect(second.values).toMatchObject({ request_rate: 40, error_rate: 4, cpu_cores: 0.1 });
  });

  it("skips a rate across a counter reset", () => {
    const first = extractSeries(parseExposition(exposition(300, 30, 5)), 0, undefined);
    const restarted = extractSeries(parseExposition(exposition(10, 0, 0.1)), 5000, first.state);
    expect(restarted.values.request_rate).toBeUndefined();
    expect(restarted.values.cpu_cores).toBeUndefined();
  });
});

import type { CapacityMeasurement } from "../../core/api/readiness.ts";

/** A capacity measurement as `peakwatch capacity` reports it (the shape is the command's own). */
export function measurement(over: Partial<CapacityMeasurement> = {}): CapacityMeasurement {
  return {
    target: "shop-staging",
    url: "http://127.0.0.1:8081",
    measuredAt: "2026-11-20T10:00:00.000Z",
    slos: ["p95(checkout)<800ms", "error_rate<1%"],
    profile: "holiday.yaml",
    capacityJourneys: 420,
    capacityRequests: 2950.5,
    confirmed: true,
    knee: { rate: 460, slo: "p95(checkout)<800ms", step: "checkout", value: "912.0 ms" },
    plannedPeak: 262.5,
    plannedFrom: "holiday.yaml (holiday)",
    saturation: [
      { name: "event-loop lag p99", value: 48.2, unit: "ms" },
      { name: "CPU", value: 97.5, unit: "% of one core" },
    ],
    steps: [
      {
        runId: "cap-1-s1",
        rate: 400,
        purpose: "ramp",
        ok: true,
        journeysPerSecond: 399.8,
        requestsPerSecond: 2800,
        broken: [],
      },
      {
        runId: "cap-1-s2",
        rate: 460,
        purpose: "refine",
        ok: false,
        journeysPerSecond: 459.1,
        requestsPerSecond: 3100,
        broken: [{ expression: "p95(checkout)<800ms", step: "checkout", value: "912.0 ms", atSecond: 4 }],
      },
      {
        runId: "cap-1-s3",
        rate: 420,
        purpose: "confirm",
        ok: true,
        journeysPerSecond: 419.7,
        requestsPerSecond: 2950.5,
        broken: [],
      },
    ],
    ...over,
  };
}

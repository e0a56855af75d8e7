import { describe, expect, it } from "vitest";
import type { CauseRow } from "../../../core/error-causes.ts";
import type { HubClient } from "../api/hub-client.ts";
import { latencyGap, latencyHoles } from "./latency-gap.ts";
import { type Aligned, RunSeries } from "./run-series.ts";
import { loadSeries } from "./series-loader.ts";

const refused: CauseRow = {
  step: "browse",
  cause: "refused",
  label: "connection refused",
  count: 40,
  share: 1,
  lastMessage: null,
};

/** A hub answering GET /runs/:id/series with `values[stat]` for every second of 100..102. */
function hubWith(values: Record<string, number>): HubClient {
  return {
    get: async (_path: string, query?: Record<string, unknown>) => ({
      points: [100, 101, 102].map((s) => [s, values[String(query?.stat)] ?? 0]),
    }),
  } as unknown as HubClient;
}

describe("latency of seconds where nothing succeeded", () => {
  it("loads as gaps, not as 0 ms, from the hub's series (which gives 0 for an empty histogram)", async () => {
    const series = new RunSeries();
    await loadSeries(hubWith({ rate: 20, errors: 20, errorRate: 1, p50: 0, p95: 0, p99: 0 }), series, {
      runId: "r",
      steps: ["browse"],
    });
    expect(series.aligned("browse", ["p50", "p95", "p99"])).toEqual([
      [100, 101, 102],
      [null, null, null],
      [null, null, null],
      [null, null, null],
    ]);
    expect(series.aligned("browse", ["errorRate"])[1]).toEqual([1, 1, 1]);
  });

  it("reads the hub's 0 ms of an empty histogram as a gap where the counts alone do not tell", async () => {
    const series = new RunSeries();
    await loadSeries(hubWith({ rate: 2, errors: 1, errorRate: 0.5, p50: 0, p95: 0, p99: 0 }), series, {
      runId: "r",
      steps: ["journey"],
    });
    expect(series.aligned("journey", ["p95"])[1]).toEqual([null, null, null]);
  });

  it("keeps the latency of seconds where some requests succeeded, also when only the failed share is loaded", async () => {
    const series = new RunSeries();
    await loadSeries(hubWith({ errorRate: 0.5, p95: 12 }), series, {
      runId: "r",
      steps: ["browse"],
      keys: ["p95", "errorRate"],
    });
    expect(series.aligned("browse", ["p95"])[1]).toEqual([12, 12, 12]);
  });

  it("says why the chart is empty, naming each cause with count and share", () => {
    expect(
      latencyGap(
        [
          [100, 101],
          [null, null],
        ],
        "browse",
        [refused],
      ),
    ).toBe(
      "No request of browse succeeded, so there is no latency to chart. Failed: 40 × connection refused (100.0 %).",
    );
    expect(
      latencyGap(
        [
          [100, 101],
          [null, null],
        ],
        "journey",
        [refused, { ...refused, step: "cart", count: 3 }],
      ),
    ).toBe(
      "No journey completed, so there is no latency to chart. Failed: 43 × connection refused (in browse, cart).",
    );
  });

  it("says nothing when a line is drawn or nothing was charted yet", () => {
    expect(
      latencyGap(
        [
          [100, 101],
          [null, 5],
        ],
        "browse",
        [refused],
      ),
    ).toBe("");
    expect(latencyGap([[]], "browse", [refused])).toBe("");
  });
});

describe("a latency line with breaks", () => {
  const declined: CauseRow = {
    ...refused,
    step: "checkout",
    cause: "http_402",
    label: "HTTP 402",
    count: 37,
  };

  it("says at how many seconds no journey completed, naming the run's failures", () => {
    expect(
      latencyHoles(
        [
          [100, 101, 102, 103],
          [20, null, null, 25],
          [30, null, null, 40],
        ],
        "journey",
        [declined],
      ),
    ).toBe(
      "No line in 2 of 4 seconds: no journey succeeded in them. Failed in the run: 37 × HTTP 402 (in checkout).",
    );
  });

  it("counts a point as a break only when no series has a value there, and names coarser points", () => {
    expect(
      latencyHoles(
        [
          [0, 10, 20, 30],
          [5, null, null, 8],
          [6, 7, null, 9],
        ],
        "browse",
        [refused],
      ),
    ).toBe(
      "No line in 1 of 4 points (10 s each): no request of browse succeeded in them. Failed in the run: 40 × connection refused (100.0 %).",
    );
  });

  it("says nothing for an unbroken line, an empty chart (latencyGap's case) or no points", () => {
    expect(
      latencyHoles(
        [
          [100, 101],
          [1, 2],
        ],
        "browse",
        [refused],
      ),
    ).toBe("");
    expect(
      latencyHoles(
        [
          [100, 101],
          [null, null],
        ],
        "browse",
        [refused],
      ),
    ).toBe("");
    expect(latencyHoles([[]], "browse", [refused])).toBe("");
  });

  it("does not call the seconds before the first journey ends, or after the run, a break", () => {
    const data: Aligned = [
      [100, 101, 102, 103, 104, 105, 106],
      [null, null, 20, null, 22, null, null],
      [null, null, 30, null, 35, null, null],
    ];
    expect(latencyHoles(data, "journey", [declined])).toBe(
      "No line in 1 of 7 seconds: no journey succeeded in them. Failed in the run: 37 × HTTP 402 (in checkout).",
    );
    data[1]![3] = 21;
    expect(latencyHoles(data, "journey", [declined])).toBe("");
  });
});

import { describe, expect, it } from "vitest";
import type { HubClient } from "../api/hub-client.ts";
import { RunSeries } from "./run-series.ts";
import { loadSeries } from "./series-loader.ts";

/** A hub answering GET /runs/:id/series with `bySecond[second][stat]` (0 when not given, as the hub does). */
function hubWith(bySecond: Record<number, Record<string, number>>): HubClient {
  return {
    get: async (_path: string, query?: Record<string, unknown>) => ({
      points: Object.entries(bySecond).map(([s, values]) => [Number(s), values[String(query?.stat)] ?? 0]),
    }),
  } as unknown as HubClient;
}

describe("loadSeries", () => {
  it("a second without a journey has no error share, not the hub's 0 %", async () => {
    const series = new RunSeries();
    const hub = hubWith({
      100: { rate: 4, errors: 1, errorRate: 0.25 },
      101: { rate: 0, errors: 0, errorRate: 0 },
    });
    await loadSeries(hub, series, { runId: "r", steps: ["journey"] });
    expect(series.aligned("journey", ["rate", "errorRate"])).toEqual([
      [100, 101],
      [4, 0],
      [0.25, null],
    ]);
  });
});

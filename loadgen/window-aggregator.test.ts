import { describe, expect, it } from "vitest";
import { decodeHistogram, mergeEncoded, newHistogram, recordMicros } from "../core/histogram.ts";
import { JOURNEY_STEP, type Window, WindowSchema, windowKey } from "../core/window.ts";
import { RunStats } from "./run-stats.ts";
import { histogramsOf, WindowAggregator } from "./window-aggregator.ts";

function collector() {
  const windows: Window[] = [];
  return { windows, sink: { accept: (ws: ReadonlyArray<Window>) => windows.push(...ws) } };
}

describe("WindowAggregator", () => {
  it("percentiles from merged per-second windows equal those of one histogram of all samples", () => {
    const { windows, sink } = collector();
    const start = 1_700_000_000_000;
    const agg = new WindowAggregator({ runId: "r", worker: "w0", graceMs: 0, firstSecond: start / 1000 }, [
      sink,
    ]);
    const all = newHistogram();
    let seed = 42;
    const random = () => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647;
    };
    for (let i = 0; i < 50_000; i++) {
      const at = start + i * 1.2; // 60 s of samples
      // Mostly fast, a long tail up to 3 s: the shape that makes averaging percentiles wrong.
      const micros = random() < 0.97 ? 500 + random() * 20_000 : 100_000 + random() * 2_900_000;
      agg.request("product", at, micros, micros / 2, 100, undefined);
      recordMicros(all, micros);
      if (i % 1000 === 0) agg.flush(at);
    }
    agg.flush(start + 70_000, true);
    expect(windows.length).toBeGreaterThanOrEqual(60);
    expect(new Set(windows.map(windowKey)).size).toBe(windows.length);
    const merged = mergeEncoded(windows.map((w) => w.latency));
    expect(merged.totalCount).toBe(all.totalCount);
    expect(windows.reduce((n, w) => n + w.count, 0)).toBe(50_000);
    for (const p of [50, 90, 95, 99, 99.9]) {
      const a = merged.getValueAtPercentile(p);
      const b = all.getValueAtPercentile(p);
      // Within one HDR bucket (3 significant digits: a bucket is at most 0.1 % wide); in fact
      // identical, because merging histograms is lossless.
      expect(Math.abs(a - b)).toBeLessThanOrEqual(b / 1000);
      expect(a).toBe(b);
    }
  });

  it("emits a second only after its grace period, and every second with a target gets a journey window", () => {
    const { windows, sink } = collector();
    const agg = new WindowAggregator(
      { runId: "r", worker: "w0", graceMs: 500, firstSecond: 100, targetOf: (s) => (s < 103 ? 10 : 0) },
      [sink],
    );
    agg.arrival(100_100, true);
    agg.arrival(100_200, false);
    agg.flush(101_400);
    expect(windows).toHaveLength(0);
    agg.flush(101_600);
    expect(windows.map((w) => [w.second, w.step, w.achievedRate, w.dropped, w.targetRate])).toEqual([
      [100, JOURNEY_STEP, 1, 1, 10],
    ]);
    agg.flush(103_600);
    // Seconds 101 and 102 had a target but nothing happened: their windows still say so.
    expect(windows.slice(1).map((w) => [w.second, w.achievedRate, w.targetRate])).toEqual([
      [101, 0, 10],
      [102, 0, 10],
    ]);
  });

  it("a late measurement joins the oldest open second instead of replacing an emitted window", () => {
    const { windows, sink } = collector();
    const agg = new WindowAggregator({ runId: "r", worker: "w0", graceMs: 0, firstSecond: 10 }, [sink]);
    agg.request("get", 10_500, 1000, 900, 10, undefined);
    agg.flush(11_000);
    agg.request("get", 10_900, 1000, 900, 10, { cause: "http_503" });
    agg.flush(0, true);
    expect(windows.map((w) => [w.second, w.count, w.errors.http5xx])).toEqual([
      [10, 1, 0],
      [11, 1, 1],
    ]);
  });

  it("counts each failure under its cause and keeps failed latency apart from successful latency", () => {
    const { windows, sink } = collector();
    const agg = new WindowAggregator({ runId: "r", worker: "w0", graceMs: 0, firstSecond: 10 }, [sink]);
    agg.request("get", 10_100, 2_000, 1_900, 10, undefined);
    agg.request("get", 10_200, 300, undefined, 0, { cause: "refused", message: "ECONNREFUSED" });
    agg.request("get", 10_300, 400, undefined, 0, { cause: "refused", message: "ECONNREFUSED again" });
    agg.request("get", 10_400, 5_000, 4_000, 20, { cause: "http_503", message: "HTTP 503" });
    agg.request("get", 10_500, 3_000, 2_000, 20, { cause: "assertion:product_list" });
    agg.arrival(10_600, false);
    agg.flush(0, true);
    const get = windows.find((w) => w.step === "get")!;
    expect(get.count).toBe(5);
    expect(get.causes).toEqual({
      refused: { count: 2, message: "ECONNREFUSED again" },
      http_503: { count: 1, message: "HTTP 503" },
      "assertion:product_list": { count: 1 },
    });
    expect(get.errors).toEqual({ connect: 2, timeout: 0, http4xx: 0, http5xx: 1, assertion: 1 });
    expect(decodeHistogram(get.latency).totalCount).toBe(1);
    expect(decodeHistogram(get.failedLatency!).totalCount).toBe(4);
    const journey = windows.find((w) => w.step === JOURNEY_STEP)!;
    expect(journey.causes).toEqual({ dropped: { count: 1, message: expect.any(String) } });
    expect(WindowSchema.safeParse(get).success).toBe(true);
  });
});

describe("histograms encoded once, for the wire only", () => {
  it("a window built here carries in memory exactly what it encodes, and RunStats reads the same totals either way", () => {
    const { windows, sink } = collector();
    const start = 1_700_000_000_000;
    const agg = new WindowAggregator({ runId: "r", worker: "w0", graceMs: 0, firstSecond: start / 1000 }, [
      sink,
    ]);
    for (let i = 0; i < 6_000; i++) {
      const failure = i % 50 === 0 ? { cause: "http_503", message: "HTTP 503" } : undefined;
      agg.request(i % 3 === 0 ? "search" : "product", start + i, 200 + (i % 997) * 37, 150, 10, failure);
    }
    agg.flush(start + 10_000, true);
    for (const w of windows) {
      const own = histogramsOf(w);
      expect(own).toBeDefined();
      expect(own!.latency.totalCount).toBe(decodeHistogram(w.latency).totalCount);
      expect(own!.latency.getValueAtPercentile(99)).toBe(decodeHistogram(w.latency).getValueAtPercentile(99));
      if (w.failedLatency)
        expect(own!.failedLatency!.totalCount).toBe(decodeHistogram(w.failedLatency).totalCount);
    }
    // The same windows as another process would receive them: encoded only.
    const wire = windows.map((w) => JSON.parse(JSON.stringify(w)) as Window);
    expect(histogramsOf(wire[0]!)).toBeUndefined();
    const local = new RunStats();
    const remote = new RunStats();
    local.accept(windows);
    remote.accept(wire);
    for (const step of ["product", "search"]) {
      const a = local.totals.get(step)!;
      const b = remote.totals.get(step)!;
      expect(a.count).toBe(b.count);
      expect(a.errors).toBe(b.errors);
      expect(a.latency.totalCount).toBe(b.latency.totalCount);
      expect(a.failedLatency.totalCount).toBe(b.failedLatency.totalCount);
      for (const p of [50, 95, 99])
        expect(a.latency.getValueAtPercentile(p)).toBe(b.latency.getValueAtPercentile(p));
    }
    expect(local.series).toEqual(remote.series);
    expect(local.windowTotals(5).get("product")!.latency.totalCount).toBe(
      remote.windowTotals(5).get("product")!.latency.totalCount,
    );
  });
});

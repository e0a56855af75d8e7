import { describe, expect, it } from "vitest";
import { encodeHistogram, mergeEncoded, newHistogram, recordMicros } from "../../core/histogram.ts";
import { HistogramCache } from "./histogram-cache.ts";

function encoded(...micros: number[]): string {
  const h = newHistogram();
  for (const m of micros) recordMicros(h, m);
  return encodeHistogram(h);
}

describe("HistogramCache", () => {
  const bySecond = new Map<number, string[]>();
  for (let s = 95; s < 137; s++) bySecond.set(s, [encoded(s * 100), encoded(s * 1000, s * 7)]);
  const direct = (from: number, until: number) =>
    mergeEncoded([...bySecond].filter(([s]) => s >= from && s < until).flatMap(([, list]) => list));

  it("merges ragged ranges exactly like merging every histogram", () => {
    const cache = new HistogramCache();
    for (const [from, until] of [
      [95, 137],
      [100, 130],
      [103, 104],
      [97, 121],
    ] as const) {
      const merged = cache.merge("run|step", bySecond, from, until);
      const expected = direct(from, until);
      expect(merged.totalCount).toBe(expected.totalCount);
      for (const p of [50, 95, 99])
        expect(merged.getValueAtPercentile(p)).toBe(expected.getValueAtPercentile(p));
    }
  });

  it("never serves a block whose windows were replaced", () => {
    const cache = new HistogramCache();
    const before = cache.merge("run|step", bySecond, 100, 110).totalCount;
    const replaced = new Map(bySecond);
    replaced.set(105, [encoded(1, 2, 3, 4, 5)]);
    expect(cache.merge("run|step", replaced, 100, 110).totalCount).toBe(before - 3 + 5);
  });
});

describe("HistogramCache memory", () => {
  const bySecond = new Map<number, string[]>();
  for (let s = 0; s < 200; s++) bySecond.set(s, [encoded(1000 + s, 2_000_000 + s)]);

  it("stays within its byte budget, evicting the least recently used blocks", () => {
    const cache = new HistogramCache(400_000);
    cache.merge("run|step", bySecond, 0, 200);
    expect(cache.bytes).toBeGreaterThan(0);
    expect(cache.bytes).toBeLessThanOrEqual(400_000);
    expect(cache.size).toBeLessThan(20);
    // Results do not depend on what was evicted.
    const again = cache.merge("run|step", bySecond, 0, 200);
    expect(again.totalCount).toBe(400);
  });

  it("caches nothing larger than the whole budget", () => {
    const cache = new HistogramCache(1_000);
    expect(cache.merge("run|step", bySecond, 0, 50).totalCount).toBe(100);
    expect(cache.size).toBe(0);
    expect(cache.bytes).toBe(0);
  });
});

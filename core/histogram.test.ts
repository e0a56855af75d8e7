import { describe, expect, it } from "vitest";
import {
  decodeHistogram,
  encodeHistogram,
  mergeEncoded,
  newHistogram,
  recordMicros,
  summarize,
} from "./histogram.ts";

describe("histogram", () => {
  it("survives an encode/decode round trip", () => {
    const h = newHistogram();
    for (let i = 1; i <= 1000; i++) recordMicros(h, i * 100);
    const back = decodeHistogram(encodeHistogram(h));
    expect(back.totalCount).toBe(1000);
    expect(back.getValueAtPercentile(99)).toBe(h.getValueAtPercentile(99));
  });

  it("merged percentiles equal those of one histogram of all samples", () => {
    const all = newHistogram();
    const parts = [newHistogram(), newHistogram(), newHistogram()];
    let seed = 7;
    for (let i = 0; i < 30_000; i++) {
      seed = (seed * 48271) % 2147483647;
      const micros = 500 + (seed % 2_000_000);
      recordMicros(all, micros);
      recordMicros(parts[i % 3]!, micros);
    }
    const merged = mergeEncoded(parts.map(encodeHistogram));
    expect(merged.totalCount).toBe(all.totalCount);
    for (const p of [50, 95, 99, 99.9]) {
      expect(merged.getValueAtPercentile(p)).toBe(all.getValueAtPercentile(p));
    }
  });

  it("summarizes in milliseconds", () => {
    const h = newHistogram();
    recordMicros(h, 2000);
    expect(summarize(h).p50).toBeCloseTo(2, 2);
    expect(summarize(newHistogram()).count).toBe(0);
  });
});

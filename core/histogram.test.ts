import { inflateSync } from "node:zlib";
import * as hdr from "hdr-histogram-js";
import { describe, expect, it } from "vitest";
import {
  addEncoded,
  addHistogram,
  checkHistogram,
  decodeHistogram,
  encodeHistogram,
  encodeHistogramForWire,
  mergeEncoded,
  newHistogram,
  recordMicros,
  subtractEncoded,
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

  it("encodes what hdr-histogram-js encodes, byte for byte once inflated, and hdr-histogram-js reads it back", () => {
    let seed = 5;
    const next = () => {
      seed = (seed * 48271) % 2147483647;
      return seed;
    };
    for (let t = 0; t < 60; t++) {
      // Empty, a few values, thousands, past an hour (resized), other precisions, a 2^31 − 2 count.
      const h =
        t % 9 === 4
          ? hdr.build({ numberOfSignificantValueDigits: ((t % 3) + 1) as 1 | 2 | 3, useWebAssembly: false })
          : newHistogram();
      const n = t === 0 ? 0 : [3, 100, 5000][t % 3]!;
      for (let i = 0; i < n; i++) recordMicros(h, t % 10 === 7 ? next() * 3 : 1 + (next() % 2_000_000));
      if (t % 13 === 6) h.recordValueWithCount(1234, 2 ** 31 - 2);
      const ours = encodeHistogram(h);
      const theirs = hdr.encodeIntoCompressedBase64(h);
      const payload = (encoded: string) => inflateSync(Buffer.from(encoded, "base64").subarray(8));
      expect(payload(ours).equals(payload(theirs))).toBe(true);
      expect(Buffer.from(ours, "base64").subarray(0, 4)).toEqual(
        Buffer.from(theirs, "base64").subarray(0, 4),
      );
      const back = hdr.decodeFromCompressedBase64(ours, 32, false);
      const reference = hdr.decodeFromCompressedBase64(theirs, 32, false);
      expect(back.totalCount).toBe(h.totalCount);
      expect(back.maxValue).toBe(reference.maxValue);
      expect(back.getValueAtPercentile(99)).toBe(reference.getValueAtPercentile(99));
    }
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

  it("addHistogram gives what the library's add gives: counts, total, min and max", () => {
    let seed = 13;
    const next = () => {
      seed = (seed * 48271) % 2147483647;
      return seed;
    };
    // Empty, a few values, thousands, one past an hour (the source resized), into a resized target.
    const sources = [0, 3, 5000, 200, 1, 40].map((n, s) => {
      const h = newHistogram();
      for (let i = 0; i < n; i++)
        recordMicros(h, s === 4 ? 5_000_000_000 : 1 + (next() % (s === 5 ? 10 : 2_000_000)));
      return h;
    });
    for (const resizedTarget of [false, true]) {
      const ours = newHistogram();
      const theirs = newHistogram();
      if (resizedTarget) for (const h of [ours, theirs]) recordMicros(h, 7_200_000_000);
      for (const from of sources) {
        addHistogram(ours, from);
        theirs.add(from);
        expect(ours.totalCount).toBe(theirs.totalCount);
        expect(ours.minNonZeroValue).toBe(theirs.minNonZeroValue);
        expect(ours.maxValue).toBe(theirs.maxValue);
        expect(encodeHistogram(ours)).toBe(encodeHistogram(theirs));
      }
    }
  });

  it("a merge that keeps no buckets (read once) gives what the remembering merge gives", () => {
    let seed = 11;
    // Thousands of distinct buckets in one encoding, past the first size of the scratch array.
    const parts = [5, 3000, 200, 4000].map((n) => {
      const h = newHistogram();
      for (let i = 0; i < n; i++) {
        seed = (seed * 48271) % 2147483647;
        recordMicros(h, 1 + (seed % 600_000_000));
      }
      return encodeHistogram(h);
    });
    const once = newHistogram();
    for (const part of parts) addEncoded(once, part, true);
    const remembered = mergeEncoded(parts);
    expect(once.totalCount).toBe(remembered.totalCount);
    expect(once.minNonZeroValue).toBe(remembered.minNonZeroValue);
    expect(once.maxValue).toBe(remembered.maxValue);
    expect(encodeHistogram(once)).toBe(encodeHistogram(remembered));
  });

  it("subtracting an added encoding leaves what merging the rest gives, min and max included", () => {
    let seed = 7;
    const parts = Array.from({ length: 4 }, (_, p) => {
      const h = newHistogram();
      for (let i = 0; i < 500; i++) {
        seed = (seed * 48271) % 2147483647;
        // Part 0 holds the lowest and part 3 the highest values: taking them out moves min and max.
        recordMicros(h, p * 100_000 + 1 + (seed % 100_000));
      }
      return encodeHistogram(h);
    });
    const running = mergeEncoded(parts);
    subtractEncoded(running, parts[3]!);
    subtractEncoded(running, parts[0]!);
    const rest = mergeEncoded([parts[1]!, parts[2]!]);
    expect(running.totalCount).toBe(rest.totalCount);
    expect(running.minNonZeroValue).toBe(rest.minNonZeroValue);
    expect(running.maxValue).toBe(rest.maxValue);
    for (const p of [0, 50, 95, 99, 100])
      expect(running.getValueAtPercentile(p)).toBe(rest.getValueAtPercentile(p));
    subtractEncoded(running, parts[1]!);
    subtractEncoded(running, parts[2]!);
    expect(running.totalCount).toBe(0);
    expect(running.getValueAtPercentile(99)).toBe(0);
  });

  it("the wire encoding is HDR V2 uncompressed when small, compressed when large, and reads back the same", () => {
    let seed = 3;
    for (const n of [0, 1, 3, 100, 400, 5000]) {
      const h = newHistogram();
      for (let i = 0; i < n; i++) {
        seed = (seed * 48271) % 2147483647;
        recordMicros(h, 1 + (seed % 600_000_000));
      }
      const compressed = encodeHistogram(h);
      const wire = encodeHistogramForWire(h);
      const bytes = Buffer.from(wire, "base64");
      if (bytes.readInt32BE(0) === 0x1c849313) {
        // Byte for byte what hdr-histogram-js compresses.
        expect(bytes).toEqual(inflateSync(Buffer.from(compressed, "base64").subarray(8)));
        expect(n).toBeLessThan(1000);
      } else {
        expect(wire).toBe(compressed);
        expect(n).toBeGreaterThan(100);
      }
      const check = checkHistogram(wire);
      expect(check.ok && check.totalCount).toBe(n);
      const back = decodeHistogram(wire);
      expect(encodeHistogram(back)).toBe(compressed);
      const added = newHistogram();
      addEncoded(added, wire);
      expect(encodeHistogram(added)).toBe(compressed);
      subtractEncoded(added, wire);
      expect(added.totalCount).toBe(0);
    }
  });

  it("reads counts and empty runs of every word length, and refuses a word cut short", () => {
    // Counts that take 1, 2, 3, 4 and 5 bytes as ZigZag LEB128, after empty runs of as many.
    // The largest value's count, last in the payload, takes 5 bytes: the cuts below fall inside it.
    const counts = [1, 63, 64, 8191, 8192, 2 ** 20 - 1, 2 ** 20, 5, 2 ** 31 - 1, 2 ** 27];
    const values = [1, 20, 300, 4000, 50_000, 600_000, 7_000_000, 8, 90, 3_000_000_000];
    const h = newHistogram();
    counts.forEach((count, i) => {
      h.recordValueWithCount(values[i]!, count);
    });
    const total = counts.reduce((a, b) => a + b, 0);
    for (const encoded of [encodeHistogram(h), encodeHistogramForWire(h)]) {
      const check = checkHistogram(encoded);
      expect(check.ok && check.totalCount).toBe(total);
      const merged = newHistogram();
      addEncoded(merged, encoded, true);
      expect(merged.totalCount).toBe(total);
      // Every bucket's count, min and max as hdr-histogram-js decodes them.
      const back = decodeHistogram(encoded);
      expect(encodeHistogram(merged)).toBe(encodeHistogram(back));
      expect([merged.minNonZeroValue, merged.maxValue]).toEqual([back.minNonZeroValue, back.maxValue]);
    }
    // The uncompressed form, cut inside its last word with its declared
    // payload length shortened to match: refused, never read past its end.
    const bytes = Buffer.from(encodeHistogramForWire(h), "base64");
    // The V2 cookie (word size in bits 4–7), not the compressed one.
    expect(bytes.readInt32BE(0) & ~0xf0).toBe(0x1c849303);
    for (const cut of [1, 2, 3]) {
      const short = Buffer.from(bytes.subarray(0, bytes.length - cut));
      short.writeInt32BE(bytes.readInt32BE(4) - cut, 4);
      const check = checkHistogram(short.toString("base64"));
      expect(check.ok ? "accepted" : check.reason).toBe("payload ends inside a count");
    }
  });

  it("summarizes in milliseconds", () => {
    const h = newHistogram();
    recordMicros(h, 2000);
    expect(summarize(h).p50).toBeCloseTo(2, 2);
    expect(summarize(newHistogram()).count).toBe(0);
  });
});

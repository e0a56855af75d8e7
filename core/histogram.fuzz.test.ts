import { deflateSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  checkHistogram,
  decodeHistogram,
  encodeHistogram,
  HISTOGRAM_LIMITS,
  HistogramFormatError,
  mergeEncoded,
  newHistogram,
  recordMicros,
} from "./histogram.ts";
import { JOURNEY_STEP, WindowSchema } from "./window.ts";

/** A V2 compressed encoding with any header and payload, as an attacker would write one. */
function craft(header: {
  digits: number;
  lowest: bigint;
  highest: bigint;
  payload: Uint8Array;
  payloadLength?: number;
  compressedLength?: number;
}): string {
  const inner = Buffer.alloc(40 + header.payload.length);
  inner.writeInt32BE(0x1c849313, 0);
  inner.writeUInt32BE(header.payloadLength ?? header.payload.length, 4);
  inner.writeInt32BE(0, 8);
  inner.writeInt32BE(header.digits, 12);
  inner.writeBigUInt64BE(header.lowest, 16);
  inner.writeBigUInt64BE(header.highest, 24);
  inner.writeBigUInt64BE(1n, 32);
  Buffer.from(header.payload).copy(inner, 40);
  const compressed = deflateSync(inner);
  const outer = Buffer.alloc(8 + compressed.length);
  outer.writeInt32BE(0x1c849314, 0);
  outer.writeUInt32BE(header.compressedLength ?? compressed.length, 4);
  compressed.copy(outer, 8);
  return outer.toString("base64");
}

/** ZigZag LEB128-64b9B of one signed value (a negative one is a run of empty buckets). */
function zigzag(value: number): number[] {
  let v = value >= 0 ? value * 2 : -value * 2 - 1;
  const out: number[] = [];
  for (let i = 0; i < 8; i++) {
    if (v < 128) {
      out.push(v);
      return out;
    }
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v & 0xff);
  return out;
}

/** Every check must finish this fast on a loaded 2-core machine (the real figure is < 2 ms). */
const BOUND_MS = 1000;

function timed<T>(f: () => T): { value: T; ms: number } {
  const started = performance.now();
  const value = f();
  return { value, ms: performance.now() - started };
}

/** Accepted encodings decode to what the check promised, within the counts-array bound. */
function agreesWithDecode(encoded: string): void {
  const check = checkHistogram(encoded);
  if (!check.ok) {
    expect(() => decodeHistogram(encoded)).toThrow(HistogramFormatError);
    return;
  }
  const decoded = timed(() => decodeHistogram(encoded));
  expect(decoded.value.totalCount).toBe(check.totalCount);
  expect(check.header.countsLength).toBeLessThanOrEqual(40_000);
  expect(decoded.ms).toBeLessThan(BOUND_MS);
}

describe("histogram decoder under property-based fuzzing", () => {
  it("valid histograms round-trip exactly: same encoding, same count, same percentiles", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 2 ** 40 }), { maxLength: 300 }), (samples) => {
        const h = newHistogram();
        for (const s of samples) recordMicros(h, s);
        const encoded = encodeHistogram(h);
        const check = checkHistogram(encoded);
        expect(check.ok).toBe(true);
        if (check.ok) expect(check.totalCount).toBe(samples.length);
        const back = decodeHistogram(encoded);
        expect(encodeHistogram(back)).toBe(encoded);
        expect(back.totalCount).toBe(samples.length);
        for (const p of [50, 95, 99, 100])
          expect(back.getValueAtPercentile(p)).toBe(h.getValueAtPercentile(p));
      }),
      { numRuns: 150 },
    );
  });

  it("merging in place gives what decoding and adding gives", () => {
    const samples = fc.array(fc.integer({ min: 1, max: 2 ** 36 }), { maxLength: 80 });
    fc.assert(
      fc.property(fc.array(samples, { minLength: 1, maxLength: 5 }), (parts) => {
        const encoded = parts.map((p) => {
          const h = newHistogram();
          for (const v of p) recordMicros(h, v);
          return encodeHistogram(h);
        });
        const viaDecode = newHistogram();
        for (const e of encoded) viaDecode.add(decodeHistogram(e));
        const inPlace = mergeEncoded(encoded);
        expect(inPlace.totalCount).toBe(viaDecode.totalCount);
        expect(inPlace.minNonZeroValue).toBe(viaDecode.minNonZeroValue);
        for (const p of [1, 50, 90, 99, 99.9, 100])
          expect(inPlace.getValueAtPercentile(p)).toBe(viaDecode.getValueAtPercentile(p));
        // hdr-histogram-js takes a value-by-value path for parts that grew past an hour, whose max is the bucket's low end.
        if (parts.flat().every((v) => v <= 3_600_000_000)) expect(inPlace.maxValue).toBe(viaDecode.maxValue);
        expect(encodeHistogram(inPlace)).toBe(encodeHistogram(viaDecode));
      }),
      { numRuns: 150 },
    );
  });

  it("random strings are refused without throwing, in bounded time", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 400 }), fc.base64String({ maxLength: 400 })), (s) => {
        const { value, ms } = timed(() => checkHistogram(s));
        expect(ms).toBeLessThan(BOUND_MS);
        if (value.ok) agreesWithDecode(s);
      }),
      { numRuns: 500 },
    );
  });

  it("refuses as not base64 exactly what the base64 pattern refuses", () => {
    const pattern = /^[A-Za-z0-9+/]*={0,2}$/;
    const character = fc.constantFrom(..."Az09+/=-_ \n\u00e9\u0100\ud83d".split(""));
    fc.assert(
      fc.property(fc.array(character, { minLength: 1, maxLength: 12 }), (chars) => {
        // Padded to a multiple of four with a letter, so only the alphabet decides.
        const s = chars.join("").padStart(Math.ceil(chars.length / 4) * 4, "A");
        const check = checkHistogram(s);
        expect(!check.ok && check.reason === "not base64").toBe(!pattern.test(s));
      }),
      { numRuns: 3000 },
    );
  });

  it("adversarial headers and payloads are refused or decode within bounds", () => {
    const word = fc.oneof(
      fc.integer({ min: 0, max: 1000 }),
      fc.integer({ min: -(2 ** 40), max: -1 }),
      fc.constantFrom(-1e9, -(2 ** 33), 2 ** 31, 2 ** 53, -(2 ** 52)),
    );
    fc.assert(
      fc.property(
        fc.record({
          digits: fc.integer({ min: -3, max: 8 }),
          lowest: fc.oneof(fc.bigInt({ min: 0n, max: 2000n }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })),
          highest: fc.oneof(
            fc.bigInt({ min: 0n, max: 2n ** 45n }),
            fc.constantFrom(2n ** 53n, 2n ** 63n, 2n ** 64n - 1n),
          ),
          words: fc.array(word, { maxLength: 60 }),
          tail: fc.uint8Array({ maxLength: 12 }),
          payloadDelta: fc.oneof(fc.constant(0), fc.integer({ min: -20, max: 2 ** 31 })),
          compressedDelta: fc.oneof(fc.constant(0), fc.integer({ min: -10, max: 2 ** 31 })),
        }),
        (h) => {
          const payload = Uint8Array.from([...h.words.flatMap(zigzag), ...h.tail]);
          const encoded = craft({
            digits: h.digits,
            lowest: h.lowest,
            highest: h.highest,
            payload,
            payloadLength: Math.max(0, payload.length + h.payloadDelta),
            compressedLength: h.compressedDelta === 0 ? undefined : Math.max(0, 50 + h.compressedDelta),
          });
          const { ms } = timed(() => checkHistogram(encoded));
          expect(ms).toBeLessThan(BOUND_MS);
          agreesWithDecode(encoded);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("bit flips in valid encodings are refused or decode to what the check read", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 10_000_000 }), { minLength: 1, maxLength: 50 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
        (samples, flips) => {
          const h = newHistogram();
          for (const s of samples) recordMicros(h, s);
          const bytes = Buffer.from(encodeHistogram(h), "base64");
          for (const [at, mask] of flips) bytes[at % bytes.length]! ^= mask;
          const encoded = bytes.toString("base64");
          const { ms } = timed(() => checkHistogram(encoded));
          expect(ms).toBeLessThan(BOUND_MS);
          agreesWithDecode(encoded);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("the audit's crafted histograms are refused before any allocation", () => {
    const cases = {
      "1e9 empty buckets": craft({
        digits: 3,
        lowest: 1n,
        highest: 3_600_000_000n,
        payload: Uint8Array.from([...zigzag(-1e9), 2]),
      }),
      "2^33 empty buckets": craft({
        digits: 3,
        lowest: 1n,
        highest: 3_600_000_000n,
        payload: Uint8Array.from([...zigzag(-(2 ** 33)), 2]),
      }),
      "5 digits over 2^53": craft({
        digits: 5,
        lowest: 1n,
        highest: 2n ** 53n,
        payload: Uint8Array.from(zigzag(1)),
      }),
      "payload longer than its bytes": craft({
        digits: 3,
        lowest: 1n,
        highest: 3_600_000_000n,
        payload: Uint8Array.from([2]),
        payloadLength: 2 ** 32 - 1,
      }),
      "a deflate bomb": (() => {
        const inner = Buffer.alloc(40 + 50_000_000);
        inner.writeInt32BE(0x1c849313, 0);
        const compressed = deflateSync(inner);
        const outer = Buffer.alloc(8 + compressed.length);
        outer.writeInt32BE(0x1c849314, 0);
        outer.writeUInt32BE(compressed.length, 4);
        compressed.copy(outer, 8);
        return outer.toString("base64");
      })(),
    };
    for (const [name, encoded] of Object.entries(cases)) {
      const before = process.memoryUsage().arrayBuffers;
      const { value, ms } = timed(() => checkHistogram(encoded));
      expect(value.ok, name).toBe(false);
      expect(ms, name).toBeLessThan(BOUND_MS);
      // Nothing near the declared size was allocated (19 MB for the 5-digit header, 50 MB for the bomb).
      expect(process.memoryUsage().arrayBuffers - before, name).toBeLessThan(
        4 * HISTOGRAM_LIMITS.maxInflatedBytes,
      );
      expect(() => decodeHistogram(encoded), name).toThrow(HistogramFormatError);
    }
  });
});

describe("window schema under property-based fuzzing", () => {
  const histogramOf = (samples: number[]) => {
    const h = newHistogram();
    for (const s of samples) recordMicros(h, s);
    return encodeHistogram(h);
  };
  const anyInt = fc.oneof(
    fc.integer({ min: 0, max: 1000 }),
    fc.constantFrom(-1, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 1.5, Number.MAX_VALUE),
  );

  it("accepts a window only when its integers fit their columns and its histograms hold its count", () => {
    fc.assert(
      fc.property(
        fc.record({
          samples: fc.array(fc.integer({ min: 1, max: 5_000_000 }), { maxLength: 40 }),
          count: fc.oneof(fc.constant(undefined), anyInt),
          error: anyInt,
          dropped: anyInt,
          bytes: anyInt,
          second: anyInt,
          step: fc.constantFrom("browse", "checkout", "journey"),
          latency: fc.oneof(
            fc.constant(undefined),
            fc.string({ maxLength: 60 }),
            fc.base64String({ maxLength: 60 }),
          ),
        }),
        (r) => {
          const count = r.count ?? r.samples.length;
          const window = {
            runId: "fuzz",
            step: r.step,
            worker: "w1",
            second: r.second,
            count,
            errors: { connect: r.error, timeout: 0, http4xx: 0, http5xx: 0, assertion: 0 },
            bytes: r.bytes,
            targetRate: 1,
            achievedRate: 1,
            dropped: r.dropped,
            latency: r.latency ?? histogramOf(r.samples),
          };
          const { value: result, ms } = timed(() => WindowSchema.safeParse(window));
          expect(ms).toBeLessThan(BOUND_MS);
          if (!result.success) return;
          for (const v of [count, r.error, r.dropped]) expect(v).toBeLessThanOrEqual(2 ** 31 - 1);
          expect(Number.isSafeInteger(r.bytes)).toBe(true);
          const total = checkHistogram(window.latency);
          expect(total.ok).toBe(true);
          if (r.step !== JOURNEY_STEP && total.ok) {
            expect(total.totalCount).toBe(count);
            expect(r.error).toBeLessThanOrEqual(count);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});

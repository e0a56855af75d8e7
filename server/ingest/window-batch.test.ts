import { deflateSync, inflateSync } from "node:zlib";
import * as hdr from "hdr-histogram-js";
import { describe, expect, it } from "vitest";
import {
  encodedTotal,
  encodeHistogram,
  encodeHistogramForWire,
  newHistogram,
  recordMicros,
} from "../../core/histogram.ts";
import { JOURNEY_STEP } from "../../core/names.ts";
import { seededRandom } from "../../core/seeded-random.ts";
import { makeWindow } from "../../test/hub/fixtures.ts";
import { validateWindowBatch } from "./window-batch.ts";

const NOW = 1_700_000_000_000;
const limits = { now: () => NOW, rawRetentionSeconds: 48 * 3600, maxSkewSeconds: 300 };

/** Valid encodings corrupted three ways: base64 characters, compressed bytes, inflated payload. */
function corruptions(seed: number, n: number): string[] {
  const random = seededRandom(seed);
  const h = newHistogram();
  for (let i = 0; i < 300; i++) recordMicros(h, 1 + random() * 2_000_000);
  const valid = encodeHistogram(h);
  const outer = Buffer.from(valid, "base64");
  const inner = inflateSync(outer.subarray(8));
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const kind = i % 3;
    if (kind === 0) {
      const bytes = Buffer.from(outer);
      bytes[Math.floor(random() * bytes.length)]! ^= 1 << Math.floor(random() * 8);
      out.push(bytes.toString("base64"));
    } else if (kind === 1) {
      const cut = Math.floor(random() * outer.length);
      out.push(outer.subarray(0, cut).toString("base64"));
    } else {
      // Past zlib: the payload (counts, and the header's payload length) is what is wrong.
      const bytes = Buffer.from(inner);
      const at =
        random() < 0.2 ? 4 + Math.floor(random() * 4) : 40 + Math.floor(random() * (bytes.length - 40));
      bytes[at] = Math.floor(random() * 256);
      const compressed = deflateSync(bytes);
      const framed = Buffer.alloc(8 + compressed.length);
      outer.copy(framed, 0, 0, 4);
      framed.writeUInt32BE(compressed.length, 4);
      compressed.copy(framed, 8);
      out.push(framed.toString("base64"));
    }
  }
  return out;
}

/** A window with this latency encoding; the journey step is exempt from count agreement, so only the histogram decides. */
function windowWith(latency: string) {
  return makeWindow({ runId: "run-1", step: JOURNEY_STEP, worker: "w0", second: NOW / 1000 - 5 }, [1000], {
    latency,
  });
}

/** hdr-histogram-js's full decode of the uncompressed V2 form (what decodeFromCompressedBase64 does after inflating). */
function fullDecodeUncompressed(encoded: string): hdr.Histogram {
  const js = hdr.JsHistogram as unknown as {
    decode(data: Uint8Array, bits: number, min: number): hdr.Histogram;
  };
  return js.decode(Buffer.from(encoded, "base64"), 32, 0);
}

/** A valid uncompressed wire encoding of 300 latencies: the form agents send for small windows. */
function uncompressedValid(): Buffer {
  const h = newHistogram();
  for (let i = 1; i <= 300; i++) recordMicros(h, i * 997);
  const wire = Buffer.from(encodeHistogramForWire(h), "base64");
  expect(wire.readInt32BE(0)).toBe(0x1c849313);
  return wire;
}

/** The uncompressed form broken in each named way (header and payload). */
function namedUncompressedMalformations(): Record<string, string> {
  const valid = uncompressedValid();
  const withChange = (change: (b: Buffer) => Buffer | undefined) => {
    const b = Buffer.from(valid);
    return (change(b) ?? b).toString("base64");
  };
  return {
    "truncated base64": valid.toString("base64").slice(0, -8),
    "shorter than the histogram header": valid.subarray(0, 30).toString("base64"),
    "other cookie of the V2 family": withChange((b) => void b.writeInt32BE(0x1c849323, 0)),
    "truncated payload": valid.subarray(0, valid.length - 3).toString("base64"),
    ...headerAndPayloadMalformations(withChange),
    "a run of empty buckets past the counts": withChange((b) => {
      // ZigZag of −2^30: a run of a billion empty buckets.
      const out = Buffer.concat([
        b.subarray(0, 40),
        Buffer.from([0xff, 0xff, 0xff, 0xff, 0x07]),
        b.subarray(40),
      ]);
      out.writeUInt32BE(out.length - 40, 4);
      return out;
    }),
  };
}

/** The uncompressed V2 bytes (header and payload) broken in each named way, through `edit`. */
function headerAndPayloadMalformations(
  edit: (change: (b: Buffer) => Buffer | undefined) => string,
): Record<string, string> {
  // ZigZag LEB128 of 2^32 (a bucket count past the 32-bit counts), then the rest of the payload.
  const hugeCount = Buffer.from([0x80, 0x80, 0x80, 0x80, 0x20]);
  return {
    "payload length past the bytes": edit((b) => void b.writeUInt32BE(b.length, 4)),
    "payload ending inside a count": edit((b) => {
      const out = Buffer.concat([b, Buffer.from([0x80])]);
      out.writeUInt32BE(out.length - 40, 4);
      return out;
    }),
    "6 significant digits": edit((b) => void b.writeInt32BE(6, 12)),
    "lowest value 0": edit((b) => void b.writeBigUInt64BE(0n, 16)),
    "highest below twice the lowest": edit((b) => void b.writeBigUInt64BE(1n, 24)),
    "highest past 2^43": edit((b) => void b.writeBigUInt64BE(2n ** 60n, 24)),
    "a bucket count past 2^31 − 1": edit((b) => {
      const out = Buffer.concat([b.subarray(0, 40), hugeCount, b.subarray(40)]);
      out.writeUInt32BE(out.length - 40, 4);
      return out;
    }),
  };
}

/** One valid encoding broken in each named way (outer frame, zlib stream, inflated header and payload). */
function namedMalformations(): Record<string, string> {
  const h = newHistogram();
  for (let i = 1; i <= 300; i++) recordMicros(h, i * 997);
  const valid = encodeHistogram(h);
  const outer = Buffer.from(valid, "base64");
  const inner = inflateSync(outer.subarray(8));
  const framed = (payload: Buffer) => {
    const compressed = deflateSync(payload);
    const out = Buffer.alloc(8 + compressed.length);
    outer.copy(out, 0, 0, 4);
    out.writeUInt32BE(compressed.length, 4);
    compressed.copy(out, 8);
    return out.toString("base64");
  };
  const outerWith = (change: (b: Buffer) => Buffer | undefined) => {
    const b = Buffer.from(outer);
    return (change(b) ?? b).toString("base64");
  };
  const innerWith = (change: (b: Buffer) => Buffer | undefined) => {
    const b = Buffer.from(inner);
    return framed(change(b) ?? b);
  };
  return {
    "truncated base64": valid.slice(0, valid.length - 8),
    "not base64": `${valid.slice(0, 8)}!!!!${valid.slice(12)}`,
    "shorter than the frame header": outer.subarray(0, 6).toString("base64"),
    "wrong frame cookie": outerWith((b) => void b.writeInt32BE(0x1c849315, 0)),
    "compressed length past the bytes": outerWith((b) => void b.writeUInt32BE(b.length, 4)),
    "truncated zlib stream": outerWith((b) => {
      const cut = b.subarray(0, b.length - 10);
      cut.writeUInt32BE(cut.length - 8, 4);
      return cut;
    }),
    "corrupt zlib header": outerWith((b) => {
      b[8] = 0;
      return b;
    }),
    "corrupt zlib checksum": outerWith((b) => {
      b[b.length - 1]! ^= 0xff;
      return b;
    }),
    "corrupt deflate block": outerWith((b) => {
      b[10]! ^= 0x06;
      return b;
    }),
    "wrong histogram cookie": innerWith((b) => void b.writeInt32BE(0x12345678, 0)),
    "shorter than the histogram header": framed(inner.subarray(0, 30)),
    ...headerAndPayloadMalformations(innerWith),
    "trailing garbage after the zlib stream": outerWith((b) => {
      const out = Buffer.concat([b, Buffer.from([1, 2, 3, 4])]);
      out.writeUInt32BE(out.length - 8, 4);
      return out;
    }),
    "trailing garbage past the declared length": Buffer.concat([outer, Buffer.from([1, 2, 3, 4])]).toString(
      "base64",
    ),
  };
}

describe("window batch validation", () => {
  it("each named malformation the full decode refuses, ingest refuses with a 400 naming the field", async () => {
    const refused: string[] = [];
    for (const [name, latency] of Object.entries(namedMalformations())) {
      const verdict = await validateWindowBatch({ windows: [windowWith(latency)] }, limits).then(
        () => "accepted",
        (error: Error) => error.message,
      );
      let decoded: number | undefined;
      try {
        decoded = hdr.decodeFromCompressedBase64(latency, 32, false).totalCount;
      } catch {
        decoded = undefined;
      }
      if (verdict === "accepted") expect(decoded, name).toBe(encodedTotal(latency));
      else expect(verdict, name).toMatch(/^body\.windows\[0\]\.latency: /);
      if (decoded === undefined) expect(verdict, name).not.toBe("accepted");
      if (verdict !== "accepted") refused.push(name);
    }
    // Only bytes past the stream's end are ignored, by both decoders; ingest refuses the rest,
    // some (lengths past the bytes, counts past 32 bits) that the full decode would misread.
    expect(refused).toHaveLength(18);
  });

  it("ingest rejects what the full decode rejected", async () => {
    // Put the other way round, so the full decoder never meets hostile input (it can loop for
    // minutes on a crafted run of empty buckets): whatever ingest accepts, the full decode reads
    // without error, to the count ingest read structurally.
    const { accepted, rejected } = await acceptedDecodeAlike(corruptions(14, 600), (latency) =>
      hdr.decodeFromCompressedBase64(latency, 32, false),
    );
    // Both sides are exercised: corruptions that pass every check and ones that do not.
    expect(accepted).toBeGreaterThan(20);
    expect(rejected).toBeGreaterThan(100);
  });

  it("the uncompressed wire form: each named malformation is refused with a 400 naming the field", async () => {
    for (const [name, latency] of Object.entries(namedUncompressedMalformations())) {
      const verdict = await validateWindowBatch({ windows: [windowWith(latency)] }, limits).then(
        () => "accepted",
        (error: Error) => error.message,
      );
      expect(verdict, name).toMatch(/^body\.windows\[0\]\.latency: /);
    }
    const valid = uncompressedValid().toString("base64");
    expect(await validateWindowBatch({ windows: [windowWith(valid)] }, limits)).toHaveLength(1);
    expect(encodedTotal(valid)).toBe(300);
  });

  it("the uncompressed wire form: what ingest accepts, the full decode reads to the same count", async () => {
    const { accepted, rejected } = await acceptedDecodeAlike(
      uncompressedCorruptions(21, 600),
      fullDecodeUncompressed,
    );
    expect(accepted).toBeGreaterThan(20);
    expect(rejected).toBeGreaterThan(100);
  });
});

/**
 * Validates each encoding as a window's latency: a refusal must be a 400 naming the field, and
 * what is accepted must decode fully to the count validation read. Returns how many went each way.
 */
async function acceptedDecodeAlike(
  latencies: Iterable<string>,
  fullDecode: (latency: string) => hdr.Histogram,
): Promise<{ accepted: number; rejected: number }> {
  let accepted = 0;
  let rejected = 0;
  for (const latency of latencies) {
    const stored = await validateWindowBatch({ windows: [windowWith(latency)] }, limits).catch(
      (error: Error) => {
        expect(error.message).toMatch(/^body\.windows\[0\]\.latency: /);
        return undefined;
      },
    );
    if (!stored) {
      rejected++;
      continue;
    }
    accepted++;
    expect(fullDecode(latency).totalCount).toBe(encodedTotal(latency));
  }
  return { accepted, rejected };
}

/** The valid uncompressed encoding with a bit flipped or a byte replaced, every fifth also cut short. */
function uncompressedCorruptions(seed: number, n: number): string[] {
  const random = seededRandom(seed);
  const valid = uncompressedValid();
  return Array.from({ length: n }, (_, i) => {
    const bytes = Buffer.from(valid);
    if (i % 2 === 0) bytes[Math.floor(random() * bytes.length)]! ^= 1 << Math.floor(random() * 8);
    else bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
    const cut = i % 5 === 0 ? Math.floor(random() * bytes.length) : bytes.length;
    return bytes.subarray(0, cut).toString("base64");
  });
}

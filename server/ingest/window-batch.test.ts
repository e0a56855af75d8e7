import { deflateSync, inflateSync } from "node:zlib";
import * as hdr from "hdr-histogram-js";
import { describe, expect, it } from "vitest";
import { encodedTotal, encodeHistogram, newHistogram, recordMicros } from "../../core/histogram.ts";
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
  // ZigZag LEB128 of 2^32 (a bucket count past the 32-bit counts), then the rest of the payload.
  const hugeCount = Buffer.from([0x80, 0x80, 0x80, 0x80, 0x20]);
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
    "payload length past the bytes": innerWith((b) => void b.writeUInt32BE(b.length, 4)),
    "payload ending inside a count": innerWith((b) => {
      const out = Buffer.concat([b, Buffer.from([0x80])]);
      out.writeUInt32BE(out.length - 40, 4);
      return out;
    }),
    "6 significant digits": innerWith((b) => void b.writeInt32BE(6, 12)),
    "lowest value 0": innerWith((b) => void b.writeBigUInt64BE(0n, 16)),
    "highest below twice the lowest": innerWith((b) => void b.writeBigUInt64BE(1n, 24)),
    "highest past 2^43": innerWith((b) => void b.writeBigUInt64BE(2n ** 60n, 24)),
    "a bucket count past 2^31 − 1": innerWith((b) => {
      const out = Buffer.concat([b.subarray(0, 40), hugeCount, b.subarray(40)]);
      out.writeUInt32BE(out.length - 40, 4);
      return out;
    }),
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
    let accepted = 0;
    let rejected = 0;
    for (const latency of corruptions(14, 600)) {
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
      const decoded = hdr.decodeFromCompressedBase64(latency, 32, false);
      expect(decoded.totalCount).toBe(encodedTotal(latency));
    }
    // Both sides are exercised: corruptions that pass every check and ones that do not.
    expect(accepted).toBeGreaterThan(20);
    expect(rejected).toBeGreaterThan(100);
  });
});

import { deflateSync, inflateSync } from "node:zlib";
import * as hdr from "hdr-histogram-js";
import { describe, expect, it } from "vitest";
import { encodedTotal, encodeHistogram, newHistogram, recordMicros } from "../../core/histogram.ts";
import { JOURNEY_STEP } from "../../core/names.ts";
import { seededRandom } from "../../core/seeded-random.ts";
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

describe("window batch validation", () => {
  it("ingest rejects what the full decode rejected", async () => {
    // Put the other way round, so the full decoder never meets hostile input (it can loop for
    // minutes on a crafted run of empty buckets): whatever ingest accepts, the full decode reads
    // without error, to the count ingest read structurally.
    let accepted = 0;
    let rejected = 0;
    for (const latency of corruptions(14, 600)) {
      const window = {
        runId: "run-1",
        // The journey step is exempt from count agreement: only the histogram decides.
        step: JOURNEY_STEP,
        worker: "w0",
        second: NOW / 1000 - 5,
        count: 1,
        errors: { connect: 0, timeout: 0, http4xx: 0, http5xx: 0, assertion: 0 },
        bytes: 0,
        targetRate: 1,
        achievedRate: 1,
        dropped: 0,
        latency,
      };
      const stored = await validateWindowBatch({ windows: [window] }, limits).catch((error: Error) => {
        expect(error.message).toMatch(/^body\.windows\[0\]\.latency: /);
        return undefined;
      });
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

import { deflateSync, inflateSync } from "node:zlib";
import { encodeHistogram, newHistogram, recordMicros } from "../../core/histogram.ts";

/** One malformed request body: its raw text and the content type it claims. */
export interface Payload {
  kind: string;
  body: string | undefined;
  contentType: string | undefined;
}

const json = (kind: string, value: unknown): Payload => ({
  kind,
  body: JSON.stringify(value),
  contentType: "application/json",
});
const raw = (kind: string, body: string, contentType = "application/json"): Payload => ({
  kind,
  body,
  contentType,
});

/** A valid encoding with its header fields rewritten: what a hostile agent sends as a histogram. */
function craftHistogram(edit: (header: DataView, payload: Buffer) => Buffer): string {
  const h = newHistogram();
  for (const v of [1000, 2000, 3000]) recordMicros(h, v);
  const outer = Buffer.from(encodeHistogram(h), "base64");
  const inner = Buffer.from(inflateSync(outer.subarray(8)));
  const header = new DataView(inner.buffer, inner.byteOffset, 40);
  const rebuilt = edit(header, inner);
  const deflated = deflateSync(rebuilt);
  const out = Buffer.alloc(8 + deflated.length);
  out.writeInt32BE(outer.readInt32BE(0), 0);
  out.writeInt32BE(deflated.length, 4);
  deflated.copy(out, 8);
  return out.toString("base64");
}

/** Zig-zag LEB128 of a (negative: a run of empty buckets) count, as the HDR V2 payload holds it. */
function zigzag(value: number): Buffer {
  let n = value < 0 ? BigInt(-value) * 2n - 1n : BigInt(value) * 2n;
  const bytes: number[] = [];
  do {
    let byte = Number(n & 0x7fn);
    n >>= 7n;
    if (n > 0n) byte |= 0x80;
    bytes.push(byte);
  } while (n > 0n && bytes.length < 9);
  return Buffer.from(bytes);
}

/** Histograms that once stalled, bloated or crashed the hub (issue 14 finding 1), and garbage. */
export function craftedHistograms(): string[] {
  return [
    // A run of 2^33 empty buckets, then one count.
    craftHistogram((header, inner) => {
      const payload = Buffer.concat([zigzag(-(2 ** 33)), zigzag(1)]);
      header.setInt32(4, payload.length);
      return Buffer.concat([inner.subarray(0, 40), payload]);
    }),
    // 5 significant digits over a 2^53 range: 19 MB per decode.
    craftHistogram((header, inner) => {
      header.setInt32(12, 5);
      header.setBigInt64(24, 2n ** 53n);
      return inner;
    }),
    // A declared payload far longer than what follows.
    craftHistogram((header, inner) => {
      header.setInt32(4, 0x7fffffff);
      return inner;
    }),
    // Negative lowest value and a NaN conversion ratio.
    craftHistogram((header, inner) => {
      header.setBigInt64(16, -1n);
      header.setFloat64(32, Number.NaN);
      return inner;
    }),
    Buffer.from("not a histogram at all").toString("base64"),
    "%%%not-base64%%%",
  ];
}

/**
 * The malformed bodies every write route gets: broken JSON, wrong types, NUL and lone
 * surrogates in every likely field, huge integers, deep nesting, prototype keys, long strings,
 * a body over the hub's 1 MiB limit, and JSON sent as text/plain.
 */
export function malformedPayloads(nowSeconds: number): Payload[] {
  const text = (s: string) => ({
    name: s,
    email: `${s}@x.test`,
    profile: s,
    target: `http://127.0.0.1/${s}`,
    comment: s,
    description: s,
    probe: s,
    step: s,
    runId: s,
    challengeId: s,
    code: s,
    productId: s,
    role: s,
    matchers: [{ name: "step", op: "=~", value: s }],
    labels: { step: s },
  });
  const huge = {
    second: 2 ** 62,
    count: 2 ** 64,
    quantity: Number.MAX_SAFE_INTEGER + 2,
    endsAt: 9e15,
    startsAt: -1e300,
    rateScale: 1e308,
    expiresAt: "+275760-09-13T00:00:00.000Z",
    windows: [{ runId: "r", step: "s", worker: "w", second: 2 ** 53, count: 2 ** 31, latency: "" }],
  };
  return [
    raw("broken-json", '{"email": "a@b.c", '),
    raw("empty", ""),
    raw("not-an-object", "[1,2,3]"),
    raw("string", '"just a string"'),
    raw("null", "null"),
    json("wrong-types", {
      email: 5,
      name: [],
      windows: "x",
      results: {},
      matchers: 7,
      quantity: "2",
      code: 123456,
    }),
    json("nul", text("a\u0000b")),
    json("lone-surrogate", text("x\uD800y")),
    json("huge-integers", huge),
    raw("deep-nesting", `${"[".repeat(50_000)}${"]".repeat(50_000)}`),
    raw("proto-keys", '{"__proto__": {"role": "admin"}, "constructor": {"prototype": {"x": 1}}}'),
    json("long-string", text("x".repeat(200_000))),
    json("over-limit", { name: "y".repeat(1_100_000) }),
    raw("text-plain", JSON.stringify(text("ok")), "text/plain"),
    json("evil-regex", {
      matchers: [{ name: "step", op: "=~", value: "(a+)+b" }],
      endsAt: Date.now() + 60_000,
      comment: "fuzz",
    }),
    json("crafted-histograms", {
      windows: craftedHistograms().map((latency, i) => ({
        runId: "fuzz-run",
        step: "checkout",
        worker: `w${i}`,
        second: nowSeconds - 30,
        count: 3,
        errors: { connect: 0, timeout: 0, http4xx: 0, http5xx: 0, assertion: 0 },
        bytes: 300,
        targetRate: 3,
        achievedRate: 3,
        dropped: 0,
        latency,
      })),
    }),
  ];
}

/** Path parameters that try traversal, NUL, bad encodings and over-long ids. */
export const hostileIds = [
  "..%2F..%2Fetc%2Fpasswd",
  "%00",
  "%E0%A4%A",
  "%ED%A0%80",
  "x".repeat(5000),
  "00000000-0000-4000-8000-000000000000",
];

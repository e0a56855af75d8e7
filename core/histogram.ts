import { deflateSync, inflateSync, constants as zlibConstants } from "node:zlib";
import * as hdr from "hdr-histogram-js";

/** An HDR histogram of latencies in microseconds. */
export type Histogram = hdr.Histogram;

/** Latencies are recorded in microseconds from 1 µs up to one hour, 3 significant digits. */
const HIGHEST_MICROS = 3_600_000_000;

/** A fresh, empty latency histogram (µs, 3 significant digits, grows if a value exceeds one hour). */
export function newHistogram(): Histogram {
  return hdr.build({
    bitBucketSize: 32,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_MICROS,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
    useWebAssembly: false,
  });
}

/** Records one latency; values below 1 µs are clamped to 1 so nothing is lost. */
export function recordMicros(histogram: Histogram, micros: number): void {
  histogram.recordValue(Math.max(1, Math.round(micros)));
}

/**
 * Deflate with Huffman coding only: the V2 payload is ZigZag LEB128 counts, which hold few
 * repeated strings, so string matching costs time and saves nothing. A merged minute of 6,000
 * latencies deflates in 24 µs to 1,681 bytes, against 77 µs and 1,735 bytes at zlib's default.
 */
const DEFLATE_OPTIONS = { strategy: zlibConstants.Z_HUFFMAN_ONLY };

/**
 * Compressed base64 (the HdrHistogram V2 wire format shared with every other HDR implementation,
 * which inflates any zlib stream): the uncompressed encoding hdr-histogram-js's
 * encodeIntoCompressedBase64 compresses, byte for byte, deflated once. Its own path grows a buffer
 * a byte at a time and base64s in JS, which made encoding a merged minute cost more than merging it.
 */
export function encodeHistogram(histogram: Histogram): string {
  const length = encodeUncompressed(histogram as unknown as CountsAccess);
  const compressed = deflateSync(scratchEncoding.subarray(0, length), DEFLATE_OPTIONS);
  const out = Buffer.allocUnsafe(8 + compressed.length);
  out.writeInt32BE(COMPRESSED_COOKIE, 0);
  out.writeInt32BE(compressed.length, 4);
  compressed.copy(out, 8);
  return out.toString("base64");
}

/**
 * Encodings of at most this many bytes go uncompressed on the wire: a window of a few hundred
 * latencies is then at most ~1.2× its compressed size, and the hub checks it without inflating
 * (zlib was the largest share of the hub's CPU per ingested window); larger ones are compressed.
 */
const WIRE_UNCOMPRESSED_MAX_BYTES = 1024;

/**
 * Base64 of the HdrHistogram V2 encoding for sending to the hub: uncompressed (the V2 format's
 * plain form, cookie 0x1c849313) when it is small, compressed (as encodeHistogram) otherwise.
 * Everything that reads encodings here (checkHistogram, decodeHistogram, addEncoded) takes both.
 */
export function encodeHistogramForWire(histogram: Histogram): string {
  const length = encodeUncompressed(histogram as unknown as CountsAccess);
  if (length > WIRE_UNCOMPRESSED_MAX_BYTES) return encodeHistogram(histogram);
  return scratchEncoding.toString("base64", 0, length);
}

/** Where encodeUncompressed writes; grows to the largest encoding written, never shrinks. */
let scratchEncoding = Buffer.alloc(4096);

/**
 * Writes the uncompressed V2 encoding (40-byte header, then ZigZag LEB128 counts with runs of
 * empty buckets as negative numbers) into scratchEncoding, byte for byte what hdr-histogram-js
 * compresses in encodeIntoCompressedBase64; returns its length.
 */
function encodeUncompressed(h: CountsAccess): number {
  const countsLimit = h.countsArrayIndex(h.maxValue) + 1;
  // At most 5 bytes a word: counts and runs are below 2^32, so their ZigZag below 2^33.
  const needed = HEADER_BYTES + 5 * countsLimit;
  if (scratchEncoding.length < needed)
    scratchEncoding = Buffer.alloc(Math.max(needed, scratchEncoding.length * 2));
  const out = scratchEncoding;
  out.writeInt32BE(V2_COOKIE, 0);
  out.writeInt32BE(1, 8);
  out.writeInt32BE(h.numberOfSignificantValueDigits, 12);
  out.writeBigInt64BE(BigInt(h.lowestDiscernibleValue), 16);
  out.writeBigInt64BE(BigInt(h.highestTrackableValue), 24);
  out.writeBigInt64BE(1n, 32);
  let position = HEADER_BYTES;
  let index = 0;
  while (index < countsLimit) {
    const count = h.getCountAtIndex(index++);
    let word = count;
    if (count === 0) {
      let zeros = 1;
      while (index < countsLimit && h.getCountAtIndex(index) === 0) {
        zeros++;
        index++;
      }
      if (zeros > 1) word = -zeros;
    }
    let zigzag = word >= 0 ? word * 2 : -word * 2 - 1;
    while (zigzag >= 128) {
      out[position++] = (zigzag % 128) | 0x80;
      zigzag = Math.floor(zigzag / 128);
    }
    out[position++] = zigzag;
  }
  out.writeInt32BE(position - HEADER_BYTES, 4);
  return position;
}

/**
 * Bounds of the encodings accepted from the network: what our generators produce (3 digits from
 * 1 µs, auto-resized past one hour) with room for other HDR writers, but never a header that
 * makes the decoder allocate or loop in proportion to a number it declares rather than to the
 * bytes it was sent (a 5-digit, 2^53 header costs 19 MB to decode; a run of 2^33 empty buckets
 * loops for minutes).
 */
export const HISTOGRAM_LIMITS = {
  /** Base64 characters of one encoded histogram. */
  maxEncodedChars: 200_000,
  maxSignificantDigits: 3,
  maxLowestDiscernible: 1_000,
  /** 2^43 µs ≈ 100 days: far past any latency, and at most ~35,000 counts (140 KB decoded). */
  maxHighestTrackable: 2 ** 43,
  /** Inflated bytes of one histogram: 40-byte header plus at most ~4 bytes per bucket. */
  maxInflatedBytes: 160 * 1024,
} as const;

const COMPRESSED_COOKIE = 0x1c849314;
const COOKIE_MASK = ~0xf0;
const V2_COOKIE_BASE = 0x1c849303;
/** The uncompressed V2 encoding's cookie as hdr-histogram-js writes it (word size 9: LEB128-64b9B). */
const V2_COOKIE = 0x1c849313;
const HEADER_BYTES = 40;

/** What a structurally valid encoding declares, read without building the histogram. */
export interface HistogramHeader {
  significantDigits: number;
  lowestDiscernible: number;
  highestTrackable: number;
  /** Length of the counts array the decoder will allocate for this header. */
  countsLength: number;
}

/** The outcome of checking an encoding: its header and total count, or why it was refused. */
export type HistogramCheck =
  | { ok: true; header: HistogramHeader; totalCount: number; inflatedBytes: number }
  | { ok: false; reason: string };

/**
 * Length of the counts array of an HDR histogram with these bounds, by the same arithmetic as
 * hdr-histogram-js (JsHistogram.init / getBucketsNeededToCoverValue), without allocating it.
 */
export function countsLengthOf(significantDigits: number, lowest: number, highest: number): number {
  // Every histogram a run sends has the same bounds: the last answer is kept.
  const last = lastCountsLength;
  if (last.significantDigits === significantDigits && last.lowest === lowest && last.highest === highest)
    return last.length;
  const length = computeCountsLength(significantDigits, lowest, highest);
  lastCountsLength = { significantDigits, lowest, highest, length };
  return length;
}

let lastCountsLength = { significantDigits: 0, lowest: 0, highest: 0, length: 0 };

function computeCountsLength(significantDigits: number, lowest: number, highest: number): number {
  const largestSingleUnit = 2 * 10 ** significantDigits;
  const subBucketCountMagnitude = Math.ceil(Math.log2(largestSingleUnit));
  const halfMagnitude = (subBucketCountMagnitude > 1 ? subBucketCountMagnitude : 1) - 1;
  const subBucketCount = 2 ** (halfMagnitude + 1);
  const unitMagnitude = Math.floor(Math.log2(lowest));
  let smallestUntrackable = subBucketCount * 2 ** unitMagnitude;
  let buckets = 1;
  while (smallestUntrackable <= highest) {
    if (smallestUntrackable > Number.MAX_SAFE_INTEGER / 2) {
      buckets++;
      break;
    }
    smallestUntrackable *= 2;
    buckets++;
  }
  return (buckets + 1) * (subBucketCount / 2);
}

/** 1 for each character of the base64 alphabet (`A–Z a–z 0–9 + /`), by char code. */
const BASE64_ALPHABET = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
  BASE64_ALPHABET[c.charCodeAt(0)] = 1;

/**
 * What /^[A-Za-z0-9+/]*={0,2}$/ matches, by a table lookup per character: the regular
 * expression was 4–7 µs of every histogram ingest checks, this well under one.
 */
function isBase64(encoded: string): boolean {
  let end = encoded.length;
  if (end > 0 && encoded.charCodeAt(end - 1) === 61) end--;
  if (end > 0 && encoded.charCodeAt(end - 1) === 61) end--;
  for (let i = 0; i < end; i++) {
    const code = encoded.charCodeAt(i);
    if (code >= 128 || BASE64_ALPHABET[code] === 0) return false;
  }
  return true;
}

/**
 * Checks an encoded histogram structurally: base64 of the V2 compressed format, compressed
 * length within the buffer, inflated size capped while inflating (never after), header bounds,
 * payload length within the inflated bytes, every ZigZag-LEB128 word complete, every bucket
 * index inside the counts array the header implies. Work and memory are proportional to the
 * bytes received (at most maxInflatedBytes inflated); nothing is allocated from a declared size.
 * Never throws.
 */
export function checkHistogram(encoded: string): HistogramCheck {
  const read = newHistogramRead();
  if (!readHistogram(encoded, false, read)) return { ok: false, reason: read.reason };
  return { ok: true, header: read.header, totalCount: read.totalCount, inflatedBytes: read.inflatedBytes };
}

/**
 * The uncompressed V2 encoding inside a compressed one (cookie, compressed length, zlib stream),
 * inflated with its size capped while inflating (never after); a reason when it is refused.
 */
function inflatedOf(bytes: Buffer): Buffer | string {
  if (bytes.readInt32BE(0) !== COMPRESSED_COOKIE) return "not a V2 HDR histogram, compressed or not";
  const compressedLength = bytes.readUInt32BE(4);
  if (compressedLength > bytes.length - 8) return "declares more compressed bytes than it holds";
  try {
    return inflateSync(bytes.subarray(8, 8 + compressedLength), {
      maxOutputLength: HISTOGRAM_LIMITS.maxInflatedBytes,
      // A window's histogram inflates to well under 2 KB: zlib's default 16 KB output chunk,
      // allocated per call, was a third of ingest's validation time.
      chunkSize: 2048,
    });
  } catch (error) {
    return (error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE"
      ? `inflates past ${HISTOGRAM_LIMITS.maxInflatedBytes} bytes`
      : "compressed payload does not inflate";
  }
}

/**
 * What readHistogram finds in one encoding, filled in place by the call it is passed to. A caller
 * keeps its own (so reading allocates nothing) and reads it before passing it again; no other
 * caller's read can change it.
 */
interface HistogramRead {
  /** Why the encoding was refused (when readHistogram returned false). */
  reason: string;
  header: HistogramHeader;
  totalCount: number;
  inflatedBytes: number;
  /** With `collect`: the nonzero buckets as (index, count) in pairs[0, pairCount); grows, never shrinks. */
  pairs: Float64Array;
  pairCount: number;
  minIndex: number;
  maxIndex: number;
}

function newHistogramRead(): HistogramRead {
  return {
    reason: "",
    header: { significantDigits: 0, lowestDiscernible: 0, highestTrackable: 0, countsLength: 0 },
    totalCount: 0,
    inflatedBytes: 0,
    pairs: new Float64Array(0),
    pairCount: 0,
    minIndex: -1,
    maxIndex: -1,
  };
}

function refuse(read: HistogramRead, reason: string): false {
  read.reason = reason;
  return false;
}

/** Bytes of the longest base64 encoding accepted (maxEncodedChars characters): 150,000. */
const MAX_ENCODED_BYTES = (HISTOGRAM_LIMITS.maxEncodedChars / 4) * 3;

/**
 * Where readHistogram decodes base64, used only within one call; grows (doubling, capped at
 * MAX_ENCODED_BYTES) to hold the largest encoding read, so it stays ≤ 150,000 bytes; never shrinks.
 */
let scratchBytes = Buffer.alloc(4096);

/**
 * checkHistogram's work: whether an encoding is accepted, its total count, header and inflated
 * length written to `into` (or why it was refused, to `into.reason`); with `collect`, also its
 * nonzero buckets. Allocates nothing for an uncompressed encoding (base64 is decoded into a
 * scratch buffer, results go to the caller's `into`): it runs for every histogram ingest
 * receives and roll-ups merge. `checked`: the encoding was accepted before, so its characters are
 * not scanned again (every other bound still holds: base64 decoding skips what is not base64).
 */
function readHistogram(encoded: string, collect: boolean, into: HistogramRead, checked = false): boolean {
  if (typeof encoded !== "string" || encoded.length === 0) return refuse(into, "empty");
  if (encoded.length > HISTOGRAM_LIMITS.maxEncodedChars)
    return refuse(into, `longer than ${HISTOGRAM_LIMITS.maxEncodedChars} characters`);
  if (encoded.length % 4 !== 0 || (!checked && !isBase64(encoded))) return refuse(into, "not base64");
  const room = (encoded.length / 4) * 3;
  if (scratchBytes.length < room)
    scratchBytes = Buffer.alloc(Math.min(Math.max(room, scratchBytes.length * 2), MAX_ENCODED_BYTES));
  const length = scratchBytes.write(encoded, 0, room, "base64");
  if (length < 8) return refuse(into, "shorter than its 8-byte header");
  let inflated: Buffer = scratchBytes;
  let inflatedLength = length;
  if (scratchBytes.readInt32BE(0) !== V2_COOKIE) {
    const out = inflatedOf(scratchBytes.subarray(0, length));
    if (typeof out === "string") return refuse(into, out);
    inflated = out;
    inflatedLength = out.length;
  }
  if (inflatedLength > HISTOGRAM_LIMITS.maxInflatedBytes)
    return refuse(into, `inflates past ${HISTOGRAM_LIMITS.maxInflatedBytes} bytes`);
  if (inflatedLength < HEADER_BYTES) return refuse(into, "shorter than its 40-byte histogram header");
  const cookie = inflated.readInt32BE(0);
  if ((cookie & COOKIE_MASK) !== V2_COOKIE_BASE) return refuse(into, "not a V2 HDR histogram");
  const payloadLength = inflated.readUInt32BE(4);
  const significantDigits = inflated.readInt32BE(12);
  // Unsigned 64-bit, rounded to the nearest double as Number(readBigUInt64BE) would (no BigInt).
  const lowest = inflated.readUInt32BE(16) * 2 ** 32 + inflated.readUInt32BE(20);
  const highest = inflated.readUInt32BE(24) * 2 ** 32 + inflated.readUInt32BE(28);
  if (significantDigits < 1 || significantDigits > HISTOGRAM_LIMITS.maxSignificantDigits)
    return refuse(
      into,
      `significant digits ${significantDigits} outside 1–${HISTOGRAM_LIMITS.maxSignificantDigits}`,
    );
  if (lowest < 1 || lowest > HISTOGRAM_LIMITS.maxLowestDiscernible)
    return refuse(
      into,
      `lowest discernible value ${lowest} outside 1–${HISTOGRAM_LIMITS.maxLowestDiscernible}`,
    );
  if (highest < 2 * lowest || highest > HISTOGRAM_LIMITS.maxHighestTrackable)
    return refuse(into, `highest trackable value ${highest} outside 2×lowest–2^43`);
  if (payloadLength > inflatedLength - HEADER_BYTES)
    return refuse(into, "declares a payload longer than the bytes it holds");
  const countsLength = countsLengthOf(significantDigits, lowest, highest);
  const end = HEADER_BYTES + payloadLength;
  let position = HEADER_BYTES;
  let index = 0;
  let totalCount = 0;
  let pairs = 0;
  let minIndex = -1;
  let maxIndex = -1;
  while (position < end) {
    // ZigZag LEB128-64b9B: 7 bits a byte for 8 bytes, then a whole 9th byte. Words of up to
    // three bytes (every count below 2^20, every run of empty buckets a counts array can hold)
    // are read with integer arithmetic; longer ones in doubles, exact up to 2^53.
    let value: number;
    let count: number;
    const first = inflated[position++]!;
    if (first < 0x80) value = first;
    else if (position < end && inflated[position]! < 0x80)
      value = (first & 0x7f) | (inflated[position++]! << 7);
    else if (position + 1 < end && inflated[position]! >= 0x80 && inflated[position + 1]! < 0x80) {
      value = (first & 0x7f) | ((inflated[position]! & 0x7f) << 7) | (inflated[position + 1]! << 14);
      position += 2;
    } else value = -1;
    if (value >= 0) count = (value >>> 1) ^ -(value & 1);
    else {
      value = first & 0x7f;
      let scale = 128;
      let byte = first;
      let read = 1;
      while (byte & 0x80 && read < 9) {
        if (position >= end) return refuse(into, "payload ends inside a count");
        byte = inflated[position++]!;
        value += (read === 8 ? byte : byte & 0x7f) * scale;
        scale *= 128;
        read++;
      }
      if (value > Number.MAX_SAFE_INTEGER) return refuse(into, "a count exceeds 2^53");
      count = value % 2 === 0 ? value / 2 : -(value + 1) / 2;
    }
    if (count < 0) {
      index += -count;
      if (index > countsLength)
        return refuse(into, "a run of empty buckets passes the end of the counts array");
    } else {
      if (index >= countsLength) return refuse(into, "a bucket index passes the end of the counts array");
      // Stored counts are 32-bit: a larger one would wrap when decoded and break the round trip.
      if (count > 2 ** 31 - 1) return refuse(into, "a bucket count exceeds 2^31 − 1");
      if (collect && count > 0) {
        if (pairs + 2 > into.pairs.length) {
          const grown = new Float64Array(Math.max(1024, into.pairs.length * 2));
          grown.set(into.pairs);
          into.pairs = grown;
        }
        into.pairs[pairs++] = index;
        into.pairs[pairs++] = count;
        if (minIndex === -1 && index !== 0) minIndex = index;
        maxIndex = index;
      }
      index++;
      totalCount += count;
      if (totalCount > Number.MAX_SAFE_INTEGER) return refuse(into, "total count exceeds 2^53");
    }
  }
  const header = into.header;
  header.significantDigits = significantDigits;
  header.lowestDiscernible = lowest;
  header.highestTrackable = highest;
  header.countsLength = countsLength;
  into.totalCount = totalCount;
  into.inflatedBytes = inflatedLength;
  into.pairCount = pairs;
  into.minIndex = minIndex;
  into.maxIndex = maxIndex;
  return true;
}

/** Thrown by decodeHistogram for an encoding checkHistogram refuses. */
export class HistogramFormatError extends Error {
  override readonly name = "HistogramFormatError";
}

/** Inverse of encodeHistogram; checks the encoding structurally first and throws HistogramFormatError. */
export function decodeHistogram(encoded: string): Histogram {
  const check = checkHistogram(encoded);
  if (!check.ok) throw new HistogramFormatError(`not a valid HDR histogram: ${check.reason}`);
  return decodeEither(encoded);
}

/** hdr-histogram-js's decode of either form (compressed or not) of a checked encoding. */
function decodeEither(encoded: string): Histogram {
  const bytes = Buffer.from(encoded, "base64");
  if (bytes.readInt32BE(0) !== V2_COOKIE) return hdr.decodeFromCompressedBase64(encoded, 32, false);
  const js = hdr.JsHistogram as unknown as {
    decode(data: Uint8Array, bitBucketSize: number, minBarForHighestTrackableValue: number): Histogram;
  };
  return js.decode(bytes, 32, 0);
}

/** The last few checks: a window's schema asks about each histogram twice (field, then totals). */
const recentChecks = new Map<string, HistogramCheck>();

function checkRecent(encoded: string): HistogramCheck {
  let check = recentChecks.get(encoded);
  if (!check) {
    check = checkHistogram(encoded);
    if (recentChecks.size >= 8) recentChecks.delete(recentChecks.keys().next().value!);
    recentChecks.set(encoded, check);
  }
  return check;
}

/** True when `encoded` passes checkHistogram (used to validate network input; never decodes). */
export function isEncodedHistogram(encoded: string): boolean {
  return checkRecent(encoded).ok;
}

/** The number of values an encoding holds, read structurally; undefined when checkHistogram refuses it. */
export function encodedTotal(encoded: string): number | undefined {
  const check = checkRecent(encoded);
  return check.ok ? check.totalCount : undefined;
}

/** encodedTotalOnce's read, reused by each call (read before it returns). */
const onceRead = newHistogramRead();

/**
 * encodedTotal without its memo of recent checks, for an encoding read once (ingest's fast path
 * checks each histogram once, where the schema asks about it twice).
 */
export function encodedTotalOnce(encoded: string): number | undefined {
  return readHistogram(encoded, false, onceRead) ? onceRead.totalCount : undefined;
}

/** Bytes a decoded histogram of this header holds (its Int32 counts array), for caches' budgets. */
export function decodedBytes(histogram: Histogram): number {
  return 4 * ((histogram as unknown as { countsArrayLength?: number }).countsArrayLength ?? 0) + 512;
}

/** The parts of hdr-histogram-js's JsHistogram that adding counts in place needs. */
interface CountsAccess {
  countsArrayLength: number;
  numberOfSignificantValueDigits: number;
  lowestDiscernibleValue: number;
  highestTrackableValue: number;
  getCountAtIndex(index: number): number;
  bucketCount: number;
  maxValue: number;
  minNonZeroValue: number;
  totalCount: number;
  valueFromIndex(index: number): number;
  highestEquivalentValue(value: number): number;
  lowestEquivalentValue(value: number): number;
  addToCountAtIndex(index: number, count: number): void;
  setTotalCount(total: number): void;
  updatedMaxValue(value: number): void;
  updateMinNonZeroValue(value: number): void;
  resize(highestTrackable: number): void;
  countsArrayIndex(value: number): number;
  establishInternalTackingValues(): void;
}

/** The nonzero buckets of an encoding of newHistogram()'s geometry, as (index, count) pairs. */
interface Buckets {
  pending: Float64Array;
  total: number;
  minIndex: number;
  maxIndex: number;
}

/** bucketsOf's read; its pairs back the buckets it returns without `remember`. */
const bucketsRead = newHistogramRead();

/** Bucket lists of recently merged encodings (roll-ups are merged again by every read of them). */
const recentBuckets = new Map<string, Buckets>();
let recentBucketBytes = 0;
const RECENT_BUCKET_BYTES = 16 * 1024 * 1024;

/**
 * Reads an encoding's nonzero buckets; undefined for an encoding of another precision or lowest
 * value. Throws HistogramFormatError on a refused one. With `remember` the result is memoised
 * (bounded in bytes); without, it is read into a scratch array valid until the next call, for an
 * encoding read once (a raw window merged into its minute's roll-up): no copy, and the cache
 * keeps what is read again.
 */
function bucketsOf(encoded: string, remember: boolean, checked = false): Buckets | undefined {
  const hit = recentBuckets.get(encoded);
  if (hit) return hit;
  const read = bucketsRead;
  if (!readHistogram(encoded, true, read, checked))
    throw new HistogramFormatError(`not a valid HDR histogram: ${read.reason}`);
  const { header, totalCount: total, pairCount: length, minIndex, maxIndex } = read;
  if (header.significantDigits !== 3 || header.lowestDiscernible !== 1) return undefined;
  if (!remember) return { pending: read.pairs.subarray(0, length), total, minIndex, maxIndex };
  const buckets = { pending: read.pairs.slice(0, length), total, minIndex, maxIndex };
  const bytes = encoded.length * 2 + length * 8 + 64;
  if (bytes <= RECENT_BUCKET_BYTES / 16) {
    recentBuckets.set(encoded, buckets);
    recentBucketBytes += bytes;
    for (const [key, b] of recentBuckets) {
      if (recentBucketBytes <= RECENT_BUCKET_BYTES) break;
      recentBuckets.delete(key);
      recentBucketBytes -= key.length * 2 + b.pending.length * 8 + 64;
    }
  }
  return buckets;
}

/**
 * Adds an encoded histogram into `target` (from newHistogram()) without decoding it into a
 * histogram of its own: the payload's buckets go straight into the target's counts, so a merge
 * costs the encoding's bytes, not a 94 KB counts array per histogram. The result is what
 * `target.add(decodeHistogram(encoded))` gives (the same counts, total, min and max); an
 * encoding of another precision takes that path. `once`: the encoding will not be merged again
 * soon, so its buckets are not kept for the next merge. Throws HistogramFormatError on a refused one.
 */
export function addEncoded(target: Histogram, encoded: string, once = false): void {
  addBuckets(target, encoded, bucketsOf(encoded, !once));
}

/**
 * addEncoded(target, encoded, true) for an encoding checkHistogram accepted earlier (a stored
 * window folded into its minute): its characters are not scanned as base64 again.
 */
export function addChecked(target: Histogram, encoded: string): void {
  addBuckets(target, encoded, bucketsOf(encoded, false, true));
}

function addBuckets(target: Histogram, encoded: string, buckets: Buckets | undefined): void {
  const into = target as unknown as CountsAccess;
  if (buckets === undefined) {
    target.add(decodeEither(encoded));
    return;
  }
  const { pending, total, minIndex, maxIndex } = buckets;
  if (maxIndex === -1) return;
  // Same geometry as newHistogram(): bucket indexes mean the same values in both.
  const maxValue = into.highestEquivalentValue(into.valueFromIndex(maxIndex));
  if (maxIndex >= into.countsArrayLength) into.resize(maxValue);
  for (let i = 0; i < pending.length; i += 2) into.addToCountAtIndex(pending[i]!, pending[i + 1]!);
  into.setTotalCount(into.totalCount + total);
  into.updatedMaxValue(Math.max(into.maxValue, maxValue));
  if (minIndex !== -1)
    into.updateMinNonZeroValue(Math.min(into.minNonZeroValue, into.valueFromIndex(minIndex)));
}

/**
 * Takes an encoded histogram that was added to `target` (addEncoded) out of it again, in place:
 * what a sliding window does with the seconds that leave it. Counts and total are exact; min and
 * max are re-established when the removed buckets held them. The result is what
 * `target.subtract(decodeHistogram(encoded))` gives. Throws HistogramFormatError on a refused
 * encoding; subtracting what was never added leaves negative counts (the caller's bug).
 */
export function subtractEncoded(target: Histogram, encoded: string): void {
  const from = target as unknown as CountsAccess;
  const buckets = bucketsOf(encoded, true);
  if (buckets === undefined) {
    target.subtract(decodeEither(encoded));
    return;
  }
  const { pending, total, minIndex, maxIndex } = buckets;
  if (maxIndex === -1) return;
  for (let i = 0; i < pending.length; i += 2) from.addToCountAtIndex(pending[i]!, -pending[i + 1]!);
  from.setTotalCount(from.totalCount - total);
  const heldMax = maxIndex >= from.countsArrayIndex(from.maxValue);
  const heldMin = minIndex !== -1 && minIndex <= from.countsArrayIndex(from.minNonZeroValue);
  if (heldMax || heldMin || from.totalCount === 0) from.establishInternalTackingValues();
}

/**
 * Adds `from` into `into`: what `into.add(from)` gives (the same counts, total, min and max), but
 * it reads `from`'s buckets only up to its largest value instead of its whole counts array
 * (about 23,000 buckets for newHistogram()'s hour-long range, where a second's latencies of a
 * few milliseconds fill the first few thousand). Histograms of another geometry (another
 * precision, or one resized past an hour) take add().
 */
export function addHistogram(into: Histogram, from: Histogram): void {
  if (from.totalCount === 0) return;
  const a = into as unknown as CountsAccess & Geometry;
  const b = from as unknown as CountsAccess & Geometry;
  // add()'s own condition for adding counts index by index (it adds value by value otherwise).
  if (
    a.bucketCount !== b.bucketCount ||
    a.subBucketCount !== b.subBucketCount ||
    a.unitMagnitude !== b.unitMagnitude
  ) {
    into.add(from);
    return;
  }
  const maxIndex = b.countsArrayIndex(b.maxValue);
  let observed = 0;
  for (let i = 0; i <= maxIndex; i++) {
    const count = b.getCountAtIndex(i);
    if (count > 0) {
      a.addToCountAtIndex(i, count);
      observed += count;
    }
  }
  a.setTotalCount(a.totalCount + observed);
  a.updatedMaxValue(Math.max(a.maxValue, b.maxValue));
  a.updateMinNonZeroValue(Math.min(a.minNonZeroValue, b.minNonZeroValue));
  into.startTimeStampMsec = Math.min(into.startTimeStampMsec, from.startTimeStampMsec);
  into.endTimeStampMsec = Math.max(into.endTimeStampMsec, from.endTimeStampMsec);
}

/**
 * The union of histograms given one at a time, for reading: the first is used as it is (no
 * copy, never mutated) until a second one comes, then both go into a fresh histogram.
 */
export class HistogramUnion {
  private union: Histogram | undefined;
  private owned = false;

  add(histogram: Histogram): void {
    if (this.union === undefined) {
      this.union = histogram;
      return;
    }
    if (!this.owned) {
      const first = this.union;
      this.union = newHistogram();
      addHistogram(this.union, first);
      this.owned = true;
    }
    addHistogram(this.union, histogram);
  }

  /** Undefined when nothing was added. */
  get result(): Histogram | undefined {
    return this.union;
  }
}

/** What add() compares before adding counts index by index. */
interface Geometry {
  subBucketCount: number;
  unitMagnitude: number;
}

/**
 * Merges encoded histograms into one. Percentiles across workers or seconds must come from
 * this, never from averaging percentiles.
 */
export function mergeEncoded(encoded: Iterable<string>): Histogram {
  const total = newHistogram();
  for (const item of encoded) addEncoded(total, item);
  return total;
}

/** Latency percentiles in milliseconds, the unit every API and chart shows. */
export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

/**
 * The largest value as its bucket's highest equivalent, what a decoded histogram holds: a
 * histogram recorded in this process keeps the exact largest value, so without this the
 * generator's own report and the hub's (decoded windows) differed in the last digit.
 */
export function maxOf(histogram: Histogram): number {
  return (histogram as unknown as CountsAccess).highestEquivalentValue(histogram.maxValue);
}

/** Summarises a histogram in milliseconds; an empty one gives all zeros. */
export function summarize(histogram: Histogram): LatencySummary {
  const count = histogram.totalCount;
  if (count === 0) return { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, max: 0 };
  const ms = (micros: number) => micros / 1000;
  return {
    count,
    min: ms((histogram as unknown as CountsAccess).lowestEquivalentValue(histogram.minNonZeroValue)),
    mean: ms(histogram.mean),
    p50: ms(histogram.getValueAtPercentile(50)),
    p90: ms(histogram.getValueAtPercentile(90)),
    p95: ms(histogram.getValueAtPercentile(95)),
    p99: ms(histogram.getValueAtPercentile(99)),
    max: ms(maxOf(histogram)),
  };
}

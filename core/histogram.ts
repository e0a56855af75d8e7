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

/** Compressed base64 (the HdrHistogram V2 wire format shared with every other HDR implementation). */
export function encodeHistogram(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

/** Inverse of encodeHistogram; throws on a malformed string. */
export function decodeHistogram(encoded: string): Histogram {
  return hdr.decodeFromCompressedBase64(encoded, 32, false);
}

/** True when `encoded` decodes as a histogram (used to validate network input). */
export function isEncodedHistogram(encoded: string): boolean {
  try {
    decodeHistogram(encoded);
    return true;
  } catch {
    return false;
  }
}

/**
 * Merges encoded histograms into one. Percentiles across workers or seconds must come from
 * this, never from averaging percentiles.
 */
export function mergeEncoded(encoded: Iterable<string>): Histogram {
  const total = newHistogram();
  for (const item of encoded) total.add(decodeHistogram(item));
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

/** Summarises a histogram in milliseconds; an empty one gives all zeros. */
export function summarize(histogram: Histogram): LatencySummary {
  const count = histogram.totalCount;
  if (count === 0) return { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, max: 0 };
  const ms = (micros: number) => micros / 1000;
  return {
    count,
    min: ms(histogram.minNonZeroValue),
    mean: ms(histogram.mean),
    p50: ms(histogram.getValueAtPercentile(50)),
    p90: ms(histogram.getValueAtPercentile(90)),
    p95: ms(histogram.getValueAtPercentile(95)),
    p99: ms(histogram.getValueAtPercentile(99)),
    max: ms(histogram.maxValue),
  };
}

import { seededRandom } from "../../../core/seeded-random.ts";

/** One per-second (or per-bucket) window of one figure, weighted by its requests. */
export interface WindowSample {
  value: number;
  weight: number;
}

/** Whether B differs from A by more than run-to-run noise, with the interval that says so. */
export interface NoiseTest {
  /** B's weighted mean minus A's, over the windows. */
  delta: number;
  /** The bootstrap interval of `delta` at `confidence`. */
  low: number;
  high: number;
  /** True when the interval leaves out zero: the difference is larger than the noise. */
  exceedsNoise: boolean;
}

export interface BootstrapOptions {
  iterations?: number;
  confidence?: number;
  /** Same seed, same answer: the page does not flicker between verdicts on a re-render. */
  seed?: number;
}

function weightedMean(samples: ReadonlyArray<WindowSample>, pick: (i: number) => number): number {
  let sum = 0;
  let weight = 0;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[pick(i)]!;
    sum += s.value * s.weight;
    weight += s.weight;
  }
  return weight > 0 ? sum / weight : 0;
}

/**
 * A percentile bootstrap of the difference of weighted means: each iteration resamples A's
 * windows and B's windows (with replacement, independently) and takes the difference. The
 * spread of those differences is the run-to-run noise the windows show; a difference whose
 * interval leaves out zero is larger than that noise. Undefined with fewer than 2 weighted
 * windows on either side, where there is no spread to measure.
 */
export function bootstrapDelta(
  a: ReadonlyArray<WindowSample>,
  b: ReadonlyArray<WindowSample>,
  options: BootstrapOptions = {},
): NoiseTest | undefined {
  const usable = (xs: ReadonlyArray<WindowSample>) =>
    xs.filter((x) => Number.isFinite(x.value) && Number.isFinite(x.weight) && x.weight > 0);
  const wa = usable(a);
  const wb = usable(b);
  if (wa.length < 2 || wb.length < 2) return undefined;
  const { iterations = 1000, confidence = 0.95, seed = 1 } = options;
  const random = seededRandom(seed);
  const draw = (n: number) => () => Math.floor(random() * n);
  const delta = weightedMean(wb, (i) => i) - weightedMean(wa, (i) => i);
  const deltas = new Float64Array(iterations);
  for (let k = 0; k < iterations; k++) {
    deltas[k] = weightedMean(wb, draw(wb.length)) - weightedMean(wa, draw(wa.length));
  }
  deltas.sort();
  const tail = (1 - confidence) / 2;
  const low = deltas[Math.floor(tail * (iterations - 1))]!;
  const high = deltas[Math.ceil((1 - tail) * (iterations - 1))]!;
  return { delta, low, high, exceedsNoise: low > 0 || high < 0 };
}

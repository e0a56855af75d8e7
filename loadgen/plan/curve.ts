/**
 * The arrival-rate curve of a log: sessions started per second, bucketed, smoothed, its peak
 * marked, and turned into profile stages (optionally scaled and compressed in time). Pure.
 */

/** Sessions per second over consecutive buckets starting at `startMs`. */
export interface RateCurve {
  startMs: number;
  bucketSeconds: number;
  /** Sessions per second in each bucket. */
  rates: number[];
}

export interface Peak {
  /** Sessions per second at the peak (of the smoothed curve). */
  rate: number;
  /** Bucket index and its middle, seconds from the curve's start. */
  index: number;
  atSeconds: number;
}

const NICE_BUCKETS = [1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400];

/**
 * The smallest "nice" bucket that gives at most `maxBuckets` buckets over `spanSeconds`: a day
 * becomes 96 quarter hours, which fits the 100 stages a profile may have.
 */
export function chooseBucketSeconds(spanSeconds: number, maxBuckets = 96): number {
  for (const b of NICE_BUCKETS) if (Math.ceil(spanSeconds / b) <= maxBuckets) return b;
  return Math.ceil(spanSeconds / maxBuckets);
}

/** Buckets session start times (epoch ms, any order) into a rate curve. */
export function bucketStarts(
  starts: ReadonlyArray<number>,
  startMs: number,
  endMs: number,
  bucketSeconds: number,
): RateCurve {
  const n = Math.max(1, Math.ceil((endMs - startMs) / 1000 / bucketSeconds));
  const counts = new Array<number>(n).fill(0);
  for (const t of starts) {
    const i = Math.floor((t - startMs) / 1000 / bucketSeconds);
    if (i >= 0 && i < n) counts[i]!++;
  }
  return { startMs, bucketSeconds, rates: counts.map((c) => c / bucketSeconds) };
}

/** Centred moving average over `width` buckets (odd); the window shrinks at the edges, so the ends are not dragged to zero. */
export function smooth(rates: ReadonlyArray<number>, width: number): number[] {
  const half = Math.max(0, Math.floor(width / 2));
  return rates.map((_, i) => {
    const from = Math.max(0, i - half);
    const to = Math.min(rates.length - 1, i + half);
    let sum = 0;
    for (let j = from; j <= to; j++) sum += rates[j]!;
    return sum / (to - from + 1);
  });
}

export function findPeak(curve: RateCurve): Peak {
  let index = 0;
  curve.rates.forEach((r, i) => {
    if (r > curve.rates[index]!) index = i;
  });
  return { rate: curve.rates[index] ?? 0, index, atSeconds: (index + 0.5) * curve.bucketSeconds };
}

/**
 * Profile stages through the middle of each bucket: the curve starts at the first bucket's rate
 * and ramps linearly to each next one. `scale` multiplies rates; `compress` divides durations,
 * so a day at 60× plays in 24 minutes with the same shape.
 */
export function curveToStages(
  curve: RateCurve,
  options: { scale?: number; compress?: number } = {},
): { startRate: number; stages: { duration: number; rate: number }[] } {
  const scale = options.scale ?? 1;
  const compress = options.compress ?? 1;
  const rate = (r: number) => Math.round(r * scale * 1000) / 1000;
  const duration = Math.round((curve.bucketSeconds / compress) * 1000) / 1000;
  const [first = 0, ...rest] = curve.rates;
  // A single bucket still needs one stage: hold its rate.
  const stages = (rest.length > 0 ? rest : [first]).map((r) => ({ duration, rate: rate(r) }));
  return { startRate: rate(first), stages };
}

/** The rate of a stage curve at `t` seconds from its start (linear inside each stage). */
export function stageRateAt(
  p: { startRate: number; stages: ReadonlyArray<{ duration: number; rate: number }> },
  t: number,
): number {
  let from = p.startRate;
  let at = 0;
  for (const s of p.stages) {
    if (t <= at + s.duration) return from + ((s.rate - from) * (t - at)) / s.duration;
    at += s.duration;
    from = s.rate;
  }
  return from;
}

/** `60x`, `60` → 60; throws with the flag's name on anything else. */
export function parseCompress(raw: string): number {
  const m = /^(\d+(?:\.\d+)?)x?$/i.exec(raw.trim());
  const n = m ? Number(m[1]) : Number.NaN;
  if (!(n >= 1 && n <= 100_000))
    throw new Error(`--compress: expected a factor such as "60x" (1 to 100000), got "${raw}"`);
  return n;
}

/** Summaries of samples (think times in seconds) by percentile. Pure. */

export interface Distribution {
  count: number;
  mean: number;
  p10: number;
  p25: number;
  p50: number;
  p75: number;
  p90: number;
}

/** Nearest-rank percentile of sorted samples. */
function rank(sorted: ReadonlyArray<number>, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const round = (x: number) => Math.round(x * 100) / 100;

/** Percentiles of the samples (rounded to 0.01); all zero when there are none. Sorts `samples` in place. */
export function distributionOf(samples: number[]): Distribution {
  samples.sort((a, b) => a - b);
  const mean = samples.length === 0 ? 0 : samples.reduce((a, b) => a + b, 0) / samples.length;
  return {
    count: samples.length,
    mean: round(mean),
    p10: round(rank(samples, 10)),
    p25: round(rank(samples, 25)),
    p50: round(rank(samples, 50)),
    p75: round(rank(samples, 75)),
    p90: round(rank(samples, 90)),
  };
}

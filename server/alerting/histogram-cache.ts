import { decodeHistogram, type Histogram, newHistogram } from "../../core/histogram.ts";

/** Seconds per cached block: a 300 s window merges 30 cached blocks plus its ragged edges. */
const BLOCK_SECONDS = 10;
const MAX_DECODED = 200_000;
const MAX_BLOCKS = 50_000;

/**
 * Merged latency histograms over ranges of seconds, cached across evaluations. Windows are
 * immutable once stored (a replay stores the same histogram), so decoded histograms are cached
 * by their encoding and complete 10 s blocks by the exact set of encodings in them: a replayed
 * window with different content changes the block's key and is never served stale. Memoisation
 * only: results equal merging every histogram afresh.
 */
export class HistogramCache {
  private readonly decoded = new Map<string, { id: number; histogram: Histogram }>();
  private readonly blocks = new Map<string, { signature: string; histogram: Histogram }>();
  private nextId = 0;

  private decode(encoded: string): { id: number; histogram: Histogram } {
    let entry = this.decoded.get(encoded);
    if (!entry) {
      if (this.decoded.size >= MAX_DECODED) this.decoded.clear();
      entry = { id: this.nextId++, histogram: decodeHistogram(encoded) };
      this.decoded.set(encoded, entry);
    }
    return entry;
  }

  /**
   * Merges the histograms of seconds in [from, until) of one series; `bySecond` maps a second to
   * its encodings (one per worker). `key` names the series (run and step).
   */
  merge(
    key: string,
    bySecond: ReadonlyMap<number, ReadonlyArray<string>>,
    from: number,
    until: number,
  ): Histogram {
    const total = newHistogram();
    const addSecond = (second: number) => {
      for (const encoded of bySecond.get(second) ?? []) total.add(this.decode(encoded).histogram);
    };
    let second = from;
    for (; second < until && second % BLOCK_SECONDS !== 0; second++) addSecond(second);
    for (; second + BLOCK_SECONDS <= until; second += BLOCK_SECONDS)
      total.add(this.block(key, bySecond, second));
    for (; second < until; second++) addSecond(second);
    return total;
  }

  private block(key: string, bySecond: ReadonlyMap<number, ReadonlyArray<string>>, start: number): Histogram {
    const ids: number[] = [];
    for (let s = start; s < start + BLOCK_SECONDS; s++) {
      for (const encoded of bySecond.get(s) ?? []) ids.push(this.decode(encoded).id);
    }
    const signature = ids.join(",");
    const blockKey = `${key}|${start}`;
    const cached = this.blocks.get(blockKey);
    if (cached?.signature === signature) return cached.histogram;
    const histogram = newHistogram();
    for (let s = start; s < start + BLOCK_SECONDS; s++) {
      for (const encoded of bySecond.get(s) ?? []) histogram.add(this.decode(encoded).histogram);
    }
    if (this.blocks.size >= MAX_BLOCKS) this.blocks.clear();
    this.blocks.set(blockKey, { signature, histogram });
    return histogram;
  }
}

/** One cache per process: every evaluation shares it. */
export const histogramCache = new HistogramCache();

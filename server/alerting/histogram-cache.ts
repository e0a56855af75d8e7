import { createHash } from "node:crypto";
import { addEncoded, decodedBytes, type Histogram, newHistogram } from "../../core/histogram.ts";

/** Seconds per cached block: a 300 s window merges 30 cached blocks plus its ragged edges. */
const BLOCK_SECONDS = 10;
/** Default memory budget of the merged blocks, bytes. */
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

interface Block {
  signature: string;
  histogram: Histogram;
  bytes: number;
}

/**
 * Merged latency histograms over ranges of seconds, cached across evaluations. Windows' own
 * histograms are never decoded into histograms of their own: their buckets are added in place
 * (core/histogram.ts addEncoded), lazily, when a block is first needed. Complete 10 s blocks are
 * cached by a digest of the exact encodings in them, so a replayed window with different content
 * changes the key and is never served stale. The cache is bounded in bytes (least recently
 * used blocks go first) and a block larger than the whole budget is not cached at all, so a
 * hostile histogram cannot grow the hub. Memoisation only: results equal merging afresh.
 */
export class HistogramCache {
  private readonly blocks = new Map<string, Block>();
  private usedBytes = 0;

  constructor(private readonly maxBytes = DEFAULT_MAX_BYTES) {}

  /** Bytes held by cached blocks (never above the budget). */
  get bytes(): number {
    return this.usedBytes;
  }

  /** Cached blocks. */
  get size(): number {
    return this.blocks.size;
  }

  /**
   * Merges the histograms of seconds in [from, until) of one series; `bySecond` maps a second to
   * its encodings (one per worker). `key` names the series (run and step). Throws
   * HistogramFormatError on an encoding the structural check refuses.
   */
  merge(
    key: string,
    bySecond: ReadonlyMap<number, ReadonlyArray<string>>,
    from: number,
    until: number,
  ): Histogram {
    const total = newHistogram();
    const addSecond = (second: number) => {
      for (const encoded of bySecond.get(second) ?? []) addEncoded(total, encoded);
    };
    let second = from;
    for (; second < until && second % BLOCK_SECONDS !== 0; second++) addSecond(second);
    for (; second + BLOCK_SECONDS <= until; second += BLOCK_SECONDS)
      total.add(this.block(key, bySecond, second));
    for (; second < until; second++) addSecond(second);
    return total;
  }

  private block(key: string, bySecond: ReadonlyMap<number, ReadonlyArray<string>>, start: number): Histogram {
    const digest = createHash("sha1");
    for (let s = start; s < start + BLOCK_SECONDS; s++) {
      for (const encoded of bySecond.get(s) ?? []) digest.update(encoded).update("\n");
      digest.update("|");
    }
    const signature = digest.digest("base64");
    const blockKey = `${key}|${start}`;
    const cached = this.blocks.get(blockKey);
    if (cached?.signature === signature) {
      // Re-inserted: Map order is the eviction order, least recently used first.
      this.blocks.delete(blockKey);
      this.blocks.set(blockKey, cached);
      return cached.histogram;
    }
    const histogram = newHistogram();
    for (let s = start; s < start + BLOCK_SECONDS; s++) {
      for (const encoded of bySecond.get(s) ?? []) addEncoded(histogram, encoded);
    }
    this.store(blockKey, { signature, histogram, bytes: decodedBytes(histogram) + blockKey.length * 2 + 64 });
    return histogram;
  }

  private store(blockKey: string, block: Block): void {
    const old = this.blocks.get(blockKey);
    if (old) {
      this.blocks.delete(blockKey);
      this.usedBytes -= old.bytes;
    }
    if (block.bytes > this.maxBytes) return;
    this.blocks.set(blockKey, block);
    this.usedBytes += block.bytes;
    for (const [k, b] of this.blocks) {
      if (this.usedBytes <= this.maxBytes) break;
      this.blocks.delete(k);
      this.usedBytes -= b.bytes;
    }
  }
}

/** One cache per process: every evaluation shares it. */
export const histogramCache = new HistogramCache();

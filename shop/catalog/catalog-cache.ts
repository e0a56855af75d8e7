/** Why a cache read was served the way it was (counted in `shop_catalog_cache_total`). */
export type CacheOutcome = "hit" | "miss" | "bypass";

export interface CatalogCacheOptions {
  /** How long an entry is served before it is loaded again; 0 turns the cache off. */
  ttlMs: number;
  /** Entries kept at most; the least recently used goes first. */
  maxEntries: number;
  now?: () => number;
  /** True while reads must skip the cache (the cache_flush fault switch). */
  bypass?: () => boolean;
  onLookup?: (outcome: CacheOutcome) => void;
}

interface Entry {
  at: number;
  value: Promise<unknown>;
}

/**
 * The shop's read-through cache for catalog reads (product pages, listings, categories,
 * search, recommendations), as a shop puts in front of its database before peak season.
 * Bounded in entries (LRU) and age (TTL). Concurrent misses for one key share one load, so
 * a cold cache at peak sends each query to the database once, not once per shopper.
 * A failed load is not kept.
 */
export class CatalogCache {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(private readonly options: CatalogCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The cached value of `key`, or what `load` gives (then cached). */
  read<T>(key: string, load: () => Promise<T>): Promise<T> {
    const { ttlMs, bypass, onLookup } = this.options;
    if (ttlMs <= 0 || bypass?.()) {
      // While bypassed the cache stays empty, so it starts cold when the bypass ends.
      if (this.entries.size > 0) this.entries.clear();
      onLookup?.("bypass");
      return load();
    }
    const t = this.now();
    const entry = this.entries.get(key);
    if (entry && t - entry.at < ttlMs) {
      // Re-insert: Map order is the recency order the eviction below relies on.
      this.entries.delete(key);
      this.entries.set(key, entry);
      onLookup?.("hit");
      return entry.value as Promise<T>;
    }
    onLookup?.("miss");
    const value = load();
    const fresh: Entry = { at: t, value };
    this.entries.delete(key);
    this.entries.set(key, fresh);
    value.catch(() => {
      if (this.entries.get(key) === fresh) this.entries.delete(key);
    });
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return value;
  }

  /** Forgets one entry (a product whose stock this process just changed). */
  forget(key: string): void {
    this.entries.delete(key);
  }

  /** Empties the cache. */
  flush(): void {
    this.entries.clear();
  }
}

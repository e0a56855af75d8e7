/** Product ids a run remembers at most: enough to spread purchases, bounded in memory. */
const CAPACITY = 500;

/**
 * Product ids seen in the shop's listings, shared by all virtual users of a run. Shoppers pick
 * from them, and until the run knows enough of the catalog a pick sometimes answers nothing, so
 * the shopper looks at another listing page first: without that, a run whose journeys never
 * browse bought only from the first page it saw, sold those products out within a minute at
 * flash-sale rates, and reported the shop's "only 0 in stock" answers as errors.
 */
export class KnownProducts {
  readonly #ids: string[] = [];
  readonly #seen = new Set<string>();
  /** Products in the whole catalog, from the last unfiltered listing (unknown before one). */
  #total: number | undefined;
  /** Pages of the whole catalog, from the last unfiltered listing. */
  totalPages = 1;

  get size(): number {
    return this.#ids.length;
  }

  /** Remembers ids from a listing (up to the capacity); `total` is the catalog's size when the listing said. */
  remember(ids: ReadonlyArray<string>, total?: number): void {
    if (total !== undefined) this.#total = total;
    for (const id of ids) {
      if (this.#ids.length >= CAPACITY) break;
      if (this.#seen.has(id)) continue;
      this.#seen.add(id);
      this.#ids.push(id);
    }
  }

  /**
   * A remembered id, uniformly; or undefined (look at a listing first) when none is known, and
   * with the share of the goal still unknown as its probability while the run knows fewer than
   * min(capacity, catalog size) products.
   */
  pick(random: () => number = Math.random): string | undefined {
    const known = this.#ids.length;
    if (known === 0) return undefined;
    const goal = Math.min(CAPACITY, this.#total ?? CAPACITY);
    if (known < goal && random() >= known / goal) return undefined;
    return this.#ids[Math.floor(random() * known)];
  }
}

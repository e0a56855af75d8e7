/**
 * A map bounded by the approximate bytes of its values: setting past the budget drops the least
 * recently used entries first; a value larger than the whole budget is not kept.
 */
export class BytesLru<V> {
  readonly #map = new Map<string, { value: V; bytes: number }>();
  #bytes = 0;

  constructor(readonly maxBytes: number) {}

  /** The value, now the most recently used. */
  get(key: string): V | undefined {
    const entry = this.#map.get(key);
    if (entry === undefined) return undefined;
    // Re-inserted: Map order is the eviction order, oldest use first.
    this.#map.delete(key);
    this.#map.set(key, entry);
    return entry.value;
  }

  /** The value, leaving the order alone. */
  peek(key: string): V | undefined {
    return this.#map.get(key)?.value;
  }

  set(key: string, value: V, bytes: number): void {
    this.delete(key);
    if (bytes > this.maxBytes) return;
    this.#map.set(key, { value, bytes });
    this.#bytes += bytes;
    for (const [k, v] of this.#map) {
      if (this.#bytes <= this.maxBytes) break;
      this.#map.delete(k);
      this.#bytes -= v.bytes;
    }
  }

  delete(key: string): void {
    const old = this.#map.get(key);
    if (old === undefined) return;
    this.#bytes -= old.bytes;
    this.#map.delete(key);
  }
}

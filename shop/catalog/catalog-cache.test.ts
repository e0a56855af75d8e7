import { describe, expect, it } from "vitest";
import { type CacheOutcome, CatalogCache } from "./catalog-cache.ts";

function counting() {
  const loads: string[] = [];
  const load =
    (key: string, value: unknown = key) =>
    () => {
      loads.push(key);
      return Promise.resolve(value);
    };
  return { loads, load };
}

describe("CatalogCache", () => {
  it("serves a read from memory until its time to live has passed", async () => {
    let now = 0;
    const cache = new CatalogCache({ ttlMs: 1000, maxEntries: 10, now: () => now });
    const { loads, load } = counting();
    expect(await cache.read("a", load("a", 1))).toBe(1);
    now = 999;
    expect(await cache.read("a", load("a", 2))).toBe(1);
    now = 1000;
    expect(await cache.read("a", load("a", 3))).toBe(3);
    expect(loads).toEqual(["a", "a"]);
  });

  it("shares one load between concurrent misses of a key", async () => {
    const cache = new CatalogCache({ ttlMs: 1000, maxEntries: 10 });
    let release: (value: number) => void = () => {};
    let loads = 0;
    const slow = () => {
      loads++;
      return new Promise<number>((resolve) => {
        release = resolve;
      });
    };
    const reads = Promise.all([cache.read("k", slow), cache.read("k", slow), cache.read("k", slow)]);
    release(7);
    expect(await reads).toEqual([7, 7, 7]);
    expect(loads).toBe(1);
  });

  it("keeps at most maxEntries, dropping the least recently used", async () => {
    const cache = new CatalogCache({ ttlMs: 60_000, maxEntries: 2 });
    const { loads, load } = counting();
    await cache.read("a", load("a"));
    await cache.read("b", load("b"));
    await cache.read("a", load("a")); // a is now the most recent
    await cache.read("c", load("c")); // evicts b
    expect(cache.size).toBe(2);
    await cache.read("a", load("a"));
    await cache.read("b", load("b"));
    expect(loads).toEqual(["a", "b", "c", "b"]);
  });

  it("does not keep a failed load", async () => {
    const cache = new CatalogCache({ ttlMs: 60_000, maxEntries: 10 });
    await expect(cache.read("x", () => Promise.reject(new Error("db down")))).rejects.toThrow("db down");
    expect(await cache.read("x", () => Promise.resolve("ok"))).toBe("ok");
  });

  it("empties itself and loads every read while bypassed, then fills again", async () => {
    let bypass = false;
    const outcomes: CacheOutcome[] = [];
    const cache = new CatalogCache({
      ttlMs: 60_000,
      maxEntries: 10,
      bypass: () => bypass,
      onLookup: (o) => outcomes.push(o),
    });
    const { loads, load } = counting();
    await cache.read("p", load("p"));
    await cache.read("p", load("p"));
    bypass = true;
    await cache.read("p", load("p"));
    await cache.read("p", load("p"));
    expect(cache.size).toBe(0);
    bypass = false;
    await cache.read("p", load("p"));
    await cache.read("p", load("p"));
    expect(outcomes).toEqual(["miss", "hit", "bypass", "bypass", "miss", "hit"]);
    expect(loads).toHaveLength(4);
  });

  it("forgets one entry on demand, and caches nothing with a zero time to live", async () => {
    const cache = new CatalogCache({ ttlMs: 60_000, maxEntries: 10 });
    const { loads, load } = counting();
    await cache.read("p", load("p"));
    cache.forget("p");
    await cache.read("p", load("p"));
    expect(loads).toHaveLength(2);
    const off = new CatalogCache({ ttlMs: 0, maxEntries: 10 });
    await off.read("q", load("q"));
    await off.read("q", load("q"));
    expect(loads).toHaveLength(4);
    expect(off.size).toBe(0);
  });
});

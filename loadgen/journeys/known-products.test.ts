import { describe, expect, it } from "vitest";
import { KnownProducts } from "./known-products.ts";

const page = (from: number, n = 20) => Array.from({ length: n }, (_, i) => `p${from + i}`);

/** A deterministic stand-in for Math.random (Park–Miller), so counts below are exact. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed * 48271) % 2147483647;
    return seed / 2147483647;
  };
}

describe("KnownProducts", () => {
  it("answers nothing until a listing was read", () => {
    expect(new KnownProducts().pick()).toBeUndefined();
  });

  it("sends shoppers to listings while it knows little of the catalog, so purchases spread", () => {
    const known = new KnownProducts();
    known.remember(page(0), 1200);
    const random = seeded(7);
    let listings = 0;
    // Each undefined is a shopper looking at another (random) page before picking.
    for (let i = 0; i < 2000; i++) {
      if (known.pick(random) !== undefined) continue;
      listings++;
      known.remember(page(20 * Math.floor(random() * 60)));
    }
    // It learned up to its bound, then stopped sending shoppers to listings.
    expect(known.size).toBe(500);
    expect(listings).toBeGreaterThan(25);
    expect(listings).toBeLessThan(400);
    const later = Array.from({ length: 1000 }, () => known.pick(random));
    expect(later.every((id) => id !== undefined)).toBe(true);
    expect(new Set(later).size).toBeGreaterThan(400);
  });

  it("stops looking once it knows the whole of a small catalog", () => {
    const known = new KnownProducts();
    known.remember(page(0, 12), 12);
    const random = seeded(3);
    expect(Array.from({ length: 200 }, () => known.pick(random)).every((id) => id !== undefined)).toBe(true);
  });

  it("keeps each id once, and no more than its bound", () => {
    const known = new KnownProducts();
    known.remember(page(0));
    known.remember(page(10));
    expect(known.size).toBe(30);
    for (let p = 0; p < 100; p++) known.remember(page(p * 20));
    expect(known.size).toBe(500);
  });
});

import { describe, expect, it } from "vitest";
import { RateLimiter } from "./rate-limit.ts";

describe("RateLimiter", () => {
  it("allows `limit` events per window, then tells when to retry", () => {
    let now = 0;
    const limiter = new RateLimiter(2, 60_000, () => now);
    expect(limiter.hit("a").ok).toBe(true);
    expect(limiter.hit("a").ok).toBe(true);
    now = 15_000;
    expect(limiter.hit("a")).toEqual({ ok: false, retryAfterSeconds: 45 });
    expect(limiter.hit("b").ok).toBe(true);
    now = 60_000;
    expect(limiter.hit("a").ok).toBe(true);
  });

  it("checks without counting", () => {
    const limiter = new RateLimiter(1, 1000, () => 0);
    expect(limiter.check("a").ok).toBe(true);
    limiter.hit("a");
    expect(limiter.check("a").ok).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import { defaultBackoff, nextDelay } from "./backoff.ts";

describe("restart backoff", () => {
  it("doubles for each quick crash up to the cap", () => {
    expect([0, 1, 2, 3, 10].map((n) => nextDelay(defaultBackoff, n, 100))).toEqual([
      250, 500, 1000, 2000, 15_000,
    ]);
  });

  it("starts over after a stable run", () => {
    expect(nextDelay(defaultBackoff, 6, 60_000)).toBe(250);
  });
});

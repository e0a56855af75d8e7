import { describe, expect, it } from "vitest";
import { seededRandom } from "../../../core/seeded-random.ts";
import { bootstrapDelta, type WindowSample } from "./bootstrap.ts";

/** Per-second windows around `mean` with a fixed spread, drawn from a seeded generator. */
function windows(mean: number, spread: number, n: number, seed: number): WindowSample[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => ({ value: mean + (random() - 0.5) * 2 * spread, weight: 10 }));
}

describe("bootstrapDelta", () => {
  it("calls two runs drawn from the same distribution within noise", () => {
    const test = bootstrapDelta(windows(100, 20, 60, 1), windows(100, 20, 60, 2));
    expect(test?.exceedsNoise).toBe(false);
    expect(test!.low).toBeLessThan(0);
    expect(test!.high).toBeGreaterThan(0);
  });

  it("calls a 30 % slowdown larger than noise, with the interval around the true shift", () => {
    const test = bootstrapDelta(windows(100, 20, 60, 3), windows(130, 20, 60, 4))!;
    expect(test.exceedsNoise).toBe(true);
    expect(test.delta).toBeGreaterThan(25);
    expect(test.delta).toBeLessThan(35);
    expect(test.low).toBeGreaterThan(0);
    expect(test.low).toBeLessThan(test.delta);
    expect(test.high).toBeGreaterThan(test.delta);
  });

  it("gives the same answer for the same seed, and none without at least two windows a side", () => {
    const a = windows(100, 50, 8, 5);
    const b = windows(120, 50, 8, 6);
    expect(bootstrapDelta(a, b, { seed: 7 })).toEqual(bootstrapDelta(a, b, { seed: 7 }));
    expect(bootstrapDelta(a.slice(0, 1), b)).toBeUndefined();
    expect(
      bootstrapDelta(a, [
        { value: 5, weight: 0 },
        { value: 6, weight: 0 },
      ]),
    ).toBeUndefined();
  });

  it("weights windows by their requests: a busy slow second counts more than an idle fast one", () => {
    const a = [
      { value: 10, weight: 1 },
      { value: 10, weight: 1 },
    ];
    const b = [
      { value: 100, weight: 9 },
      { value: 0, weight: 1 },
    ];
    expect(bootstrapDelta(a, b)!.delta).toBeCloseTo(80, 6);
  });
});

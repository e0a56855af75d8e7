import { describe, expect, it } from "vitest";
import { RateSchedule } from "./rate.ts";

describe("RateSchedule", () => {
  it("spreads a constant rate evenly", () => {
    const s = new RateSchedule([{ duration: 10, from: 200, to: 200 }]);
    expect(s.totalArrivals).toBe(2000);
    expect(s.arrivalTime(0)).toBe(0);
    expect(s.arrivalTime(1)).toBeCloseTo(0.005, 9);
    expect(s.arrivalTime(1999)).toBeCloseTo(9.995, 9);
    expect(s.arrivalTime(2000)).toBeUndefined();
  });

  it("interpolates a linear ramp inside the second, not per-second steps", () => {
    const s = new RateSchedule([{ duration: 10, from: 50, to: 500 }]);
    expect(s.rateAt(0.5)).toBeCloseTo(72.5, 9);
    expect(s.arrivalsBetween(0, 1)).toBeCloseTo(72.5, 9);
    expect(s.totalArrivals).toBe(2750);
    // Gaps shrink steadily along the ramp.
    const gapEarly = s.arrivalTime(11)! - s.arrivalTime(10)!;
    const gapLate = s.arrivalTime(2701)! - s.arrivalTime(2700)!;
    expect(gapEarly).toBeGreaterThan(gapLate * 5);
    // Arrival k sits where the integral reaches k.
    for (const k of [1, 100, 1000, 2749]) expect(s.cumulative(s.arrivalTime(k)!)).toBeCloseTo(k, 6);
  });

  it("handles ramps down to zero and zero-rate pauses", () => {
    const s = new RateSchedule([
      { duration: 2, from: 100, to: 0 },
      { duration: 1, from: 0, to: 0 },
      { duration: 1, from: 10, to: 10 },
    ]);
    expect(s.totalArrivals).toBe(110);
    expect(s.arrivalTime(99)!).toBeLessThan(2);
    expect(s.arrivalTime(100)).toBeCloseTo(3, 9);
  });

  it("times are monotonic", () => {
    const s = new RateSchedule([
      { duration: 3, from: 1, to: 300 },
      { duration: 3, from: 300, to: 20 },
    ]);
    let last = -1;
    for (let k = 0; k < s.totalArrivals; k++) {
      const t = s.arrivalTime(k)!;
      expect(t).toBeGreaterThanOrEqual(last);
      last = t;
    }
  });

  it("rejects bad segments", () => {
    expect(() => new RateSchedule([{ duration: 0, from: 1, to: 1 }])).toThrow(RangeError);
  });
});

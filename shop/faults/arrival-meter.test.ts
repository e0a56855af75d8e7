import { describe, expect, it } from "vitest";
import { ArrivalMeter } from "./arrival-meter.ts";

describe("ArrivalMeter", () => {
  it("measures a steady arrival rate over its window, whatever happened before it", () => {
    let now = 0;
    const meter = new ArrivalMeter(() => now);
    let rate = 0;
    // 20/s for 5 s, then 5/s for 5 s: the window forgets the burst.
    for (; now < 5000; now += 50) rate = meter.record("/api/checkout", 3);
    expect(rate).toBeCloseTo(20, 0);
    for (; now < 10_000; now += 200) rate = meter.record("/api/checkout", 3);
    expect(rate).toBeCloseTo(5, 0);
  });

  it("keeps routes apart and starts from zero after a reset", () => {
    let now = 0;
    const meter = new ArrivalMeter(() => now);
    for (; now < 3000; now += 100) meter.record("/api/a", 2);
    expect(meter.record("/api/b", 2)).toBeCloseTo(0.5, 5);
    meter.reset();
    expect(meter.record("/api/a", 2)).toBeCloseTo(0.5, 5);
  });
});

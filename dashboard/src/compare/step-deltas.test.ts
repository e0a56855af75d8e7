import { describe, expect, it } from "vitest";
import { deltaCell, windowsOf } from "./step-deltas.ts";

const flat = (value: number, n: number, jitter: number) =>
  Array.from({ length: n }, (_, i) => ({ value: value + (i % 2 === 0 ? jitter : -jitter), weight: 5 }));

describe("deltaCell", () => {
  it("a slower p95 is worse, a higher throughput better", () => {
    const slower = deltaCell("p95", {
      a: 100,
      b: 150,
      windowsA: flat(100, 30, 5),
      windowsB: flat(150, 30, 5),
    });
    expect(slower).toMatchObject({ delta: 50, relative: 0.5, direction: "worse" });
    expect(slower.noise?.exceedsNoise).toBe(true);
    const faster = deltaCell("throughput", {
      a: 10,
      b: 12,
      windowsA: flat(10, 30, 1),
      windowsB: flat(12, 30, 1),
    });
    expect(faster.direction).toBe("better");
  });

  it("says within noise when the windows overlap, and has no delta without both values", () => {
    const noisy = deltaCell("p50", {
      a: 100,
      b: 103,
      windowsA: flat(100, 30, 40),
      windowsB: flat(103, 30, 40),
    });
    expect(noisy.direction).toBe("worse");
    expect(noisy.noise?.exceedsNoise).toBe(false);
    expect(deltaCell("errorRate", { a: null, b: 0.1, windowsA: [], windowsB: [] })).toMatchObject({
      delta: null,
      direction: "unknown",
      noise: undefined,
    });
    expect(deltaCell("errorRate", { a: 0, b: 0.1, windowsA: [], windowsB: [] }).relative).toBeNull();
  });
});

describe("windowsOf", () => {
  it("weights each second's value by that second's requests and drops empty seconds", () => {
    expect(
      windowsOf(
        [
          [1, 10],
          [2, null],
          [3, 30],
          [4, 40],
        ],
        [
          [1, 5],
          [2, 5],
          [3, 0],
          [4, 2],
        ],
      ),
    ).toEqual([
      { value: 10, weight: 5 },
      { value: 40, weight: 2 },
    ]);
  });
});

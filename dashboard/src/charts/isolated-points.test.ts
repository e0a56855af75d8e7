import { describe, expect, it } from "vitest";
import { isolatedPoints } from "./isolated-points.ts";

describe("isolatedPoints", () => {
  it("marks the only value of a one-second run", () => {
    expect(isolatedPoints([0.012], 0, 0)).toEqual([0]);
  });

  it("marks a value between two gaps and at either end, not one on a line", () => {
    expect(isolatedPoints([1, null, 2, null, 3, 4, null, 5], 0, 7)).toEqual([0, 2, 7]);
  });

  it("is null when every value has a neighbour or there are none", () => {
    expect(isolatedPoints([1, 2, null, 3, 4], 0, 4)).toBeNull();
    expect(isolatedPoints([null, null], 0, 1)).toBeNull();
    expect(isolatedPoints([], 0, -1)).toBeNull();
  });

  it("looks only at the visible span, yet judges its edges by the values beyond it", () => {
    expect(isolatedPoints([1, 2, null, 3, null], 1, 3)).toEqual([3]);
  });
});

import { describe, expect, it } from "vitest";
import { overlay } from "./overlay.ts";

describe("overlay", () => {
  it("aligns two runs on seconds since their own start, with gaps where one has no data", () => {
    const data = overlay([
      {
        startSecond: 1000,
        columns: [
          [1000, 1001, 1002],
          [10, 11, 12],
        ],
      },
      {
        startSecond: 5000,
        columns: [
          [5001, 5003],
          [20, 23],
        ],
      },
    ]);
    expect(data).toEqual([
      [0, 1, 2, 3],
      [10, 11, 12, null],
      [null, 20, null, 23],
    ]);
  });
});

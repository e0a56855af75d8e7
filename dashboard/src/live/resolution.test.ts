import { describe, expect, it } from "vitest";
import { chartResolution } from "./resolution.ts";

describe("chartResolution", () => {
  it("keeps short runs at one second per point", () => {
    expect(chartResolution({ startedAt: 0, endedAt: 120_000 })).toBe(1);
  });
  it("downsamples long runs to about 600 points", () => {
    expect(chartResolution({ startedAt: 0, endedAt: 3_600_000 })).toBe(6);
    expect(chartResolution({ startedAt: 0, endedAt: 86_400_000 })).toBe(144);
  });
  it("uses the planned length while a run is in progress", () => {
    expect(chartResolution({ startedAt: 0, plannedSeconds: 7200 }, 10_000)).toBe(12);
  });
});

import { describe, expect, it } from "vitest";
import { judgeRun, type RunEnd } from "./run-outcome.ts";

const end = (over: Partial<RunEnd> = {}): RunEnd => ({
  error: false,
  abortedBy: undefined,
  lostWorkers: 0,
  breakpoint: false,
  highestRateHeld: 0,
  thresholds: [{ expression: "p95 < 1s", ok: true, value: 12, abortOnFail: true }],
  ...over,
});
const broke = { expression: "p95 < 1s", value: "1.40 s" };

describe("judgeRun: how a finished run is judged, by one generator or a split run's coordinator", () => {
  it("passes when every threshold held and fails when one did not over the whole run", () => {
    expect(judgeRun(end())).toEqual({ status: "passed", extra: [] });
    const failed = end({
      thresholds: [{ expression: "p95 < 1s", ok: false, value: 1400, abortOnFail: false }],
    });
    expect(judgeRun(failed)).toEqual({ status: "failed", extra: [] });
  });

  it("fails a run an abort threshold stopped, however its whole-run figures read, and names it", () => {
    expect(judgeRun(end({ abortedBy: broke }))).toEqual({
      status: "failed",
      extra: ["stopped early: p95 < 1s was 1.40 s"],
      stoppedBy: broke,
    });
  });

  it("passes a breakpoint run with the capacity found, whether it broke or held the whole ramp", () => {
    expect(judgeRun(end({ breakpoint: true, abortedBy: broke, highestRateHeld: 187.26 }))).toEqual({
      status: "passed",
      extra: ["capacity 187.3 journeys/s (broke on p95 < 1s)"],
      breakpoint: { highestRateHeld: 187.3 },
    });
    expect(judgeRun(end({ breakpoint: true, highestRateHeld: 500 })).extra).toEqual([
      "held the whole ramp, capacity ≥ 500 journeys/s",
    ]);
  });

  it("puts an error before a stop, a stop before a lost worker, and a lost worker before a capacity", () => {
    expect(judgeRun(end({ error: true, abortedBy: { signal: "SIGINT" } })).status).toBe("error");
    expect(judgeRun(end({ abortedBy: { signal: "SIGINT" }, lostWorkers: 1 })).status).toBe("aborted");
    expect(judgeRun(end({ lostWorkers: 1, breakpoint: true, abortedBy: broke }))).toEqual({
      status: "degraded",
      extra: ["stopped early: p95 < 1s was 1.40 s"],
    });
  });
});

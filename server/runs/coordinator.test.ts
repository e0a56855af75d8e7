import { describe, expect, it } from "vitest";
import { segmentArrivalsBefore } from "../../core/execution-segment.ts";
import { RateSchedule } from "../../core/rate.ts";
import type { RunRow, RunWorkerRow } from "../../db/schema/hub.ts";
import { lossOf } from "./coordinator.ts";

const start = 1_800_000_000_000;
const run = (rateScale: number | null) =>
  ({
    profile: "smoke",
    startAt: start,
    startedAt: start - 3000,
    plannedSeconds: 30,
    workers: 3,
    rateScale,
  }) as RunRow;
// w1 reported up to the end of its tenth second, then died.
const w1 = { worker: "w1", index: 1, lastSecond: start / 1000 + 9 } as RunWorkerRow;

describe("what a lost worker of a hub-started run left undone", () => {
  it("is counted on the schedule the run had: smoke (5/s for 30 s) at rate scale 0.4 plans 60 arrivals, not 150", () => {
    const loss = lossOf(run(0.4), w1, "exited on SIGKILL");
    const schedule = new RateSchedule([{ duration: 30, from: 2, to: 2 }]);
    const segment = { index: 1, count: 3 };
    const missing =
      segmentArrivalsBefore(schedule, segment, Number.POSITIVE_INFINITY) -
      segmentArrivalsBefore(schedule, segment, 10);
    expect(loss).toMatchObject({
      worker: "w1",
      stoppedAfterSeconds: 10,
      plannedArrivals: 60,
      missingArrivals: missing,
      missingShare: missing / 60,
    });
    expect(lossOf(run(null), w1, "exited on SIGKILL").plannedArrivals).toBe(150);
  });
});

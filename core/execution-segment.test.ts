import { describe, expect, it } from "vitest";
import { segmentArrivalsBefore, segmentOf } from "./execution-segment.ts";
import { RateSchedule } from "./rate.ts";
import { describeWorkerLoss, workerLoss } from "./worker-loss.ts";

const ramp = new RateSchedule([
  { duration: 7, from: 3, to: 41 },
  { duration: 5.5, from: 41, to: 41 },
]);

function times(s: ReturnType<typeof segmentOf>): number[] {
  const out: number[] = [];
  for (let k = 0; ; k++) {
    const t = s.arrivalTime(k);
    if (t === undefined) return out;
    out.push(t);
  }
}

describe("execution segments", () => {
  it("three interleaved slices are exactly the whole schedule, no arrival twice or lost", () => {
    const whole = times(segmentOf(ramp));
    const slices = [0, 1, 2].map((index) => times(segmentOf(ramp, { index, count: 3 })));
    expect(slices.reduce((n, s) => n + s.length, 0)).toBe(ramp.totalArrivals);
    const union = slices.flat().sort((a, b) => a - b);
    expect(union).toEqual(whole);
    // Worker 1 sends arrivals 1, 4, 7, …
    expect(slices[1]!.slice(0, 3)).toEqual([whole[1], whole[4], whole[7]]);
    for (let i = 0; i < 3; i++)
      expect(segmentOf(ramp, { index: i, count: 3 }).totalArrivals).toBe(slices[i]!.length);
  });

  it("the workers' per-second targets add up to the whole schedule's arrivals in that second", () => {
    for (let second = 0; second < 13; second++) {
      const sum = [0, 1, 2, 3]
        .map((index) => segmentOf(ramp, { index, count: 4 }).arrivalsBetween(second, second + 1))
        .reduce((a, b) => a + b, 0);
      const whole = times(segmentOf(ramp)).filter((t) => t >= second && t < second + 1).length;
      expect(sum).toBe(whole);
    }
  });

  it("counts a slice's arrivals before an instant", () => {
    const flat = new RateSchedule([{ duration: 10, from: 10, to: 10 }]);
    // Arrivals at 0, 0.1, …: before 1 s there are 10 (0..9); worker 2 of 3 has 2 and 5 and 8.
    expect(segmentArrivalsBefore(flat, { index: 2, count: 3 }, 1)).toBe(3);
    expect(segmentArrivalsBefore(flat, { index: 0, count: 3 }, 1)).toBe(4);
    expect(segmentArrivalsBefore(flat, { index: 1, count: 3 }, 0)).toBe(0);
  });
});

describe("worker loss", () => {
  it("names the share of the whole run that a stopped worker never sent", () => {
    const flat = new RateSchedule([{ duration: 30, from: 60, to: 60 }]);
    const loss = workerLoss(
      { worker: "w2", segment: { index: 2, count: 3 }, reason: "exited on SIGKILL", stoppedAfterSeconds: 14 },
      { schedule: flat },
    );
    // 1800 arrivals; worker 2 has 600, of which those at 14 s or later: 16 s × 20/s = 320.
    expect(loss.missingArrivals).toBe(320);
    expect(loss.plannedArrivals).toBe(1800);
    expect(loss.missingShare).toBeCloseTo(320 / 1800, 12);
    expect(describeWorkerLoss(loss)).toBe(
      "worker w2 (index 2 of 3) stopped at 14 s (exited on SIGKILL): 18 % of arrivals not sent or not reported (320 of 1800)",
    );
  });

  it("closed model: a third of the connections for the time left", () => {
    const loss = workerLoss(
      { worker: "w0", segment: { index: 0, count: 3 }, reason: "exit code 1", stoppedAfterSeconds: 15 },
      { plannedSeconds: 30 },
    );
    expect(loss.missingShare).toBeCloseTo(1 / 6, 12);
    expect(loss.missingArrivals).toBeNull();
  });
});

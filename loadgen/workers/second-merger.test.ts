import { describe, expect, it } from "vitest";
import { encodeHistogram, newHistogram } from "../../core/histogram.ts";
import type { Window } from "../../core/window.ts";
import { SecondMerger } from "./second-merger.ts";

const latency = encodeHistogram(newHistogram());
const win = (worker: string, second: number): Window => ({
  runId: "r",
  step: "journey",
  worker,
  second,
  count: 1,
  errors: { connect: 0, timeout: 0, http4xx: 0, http5xx: 0, assertion: 0 },
  bytes: 0,
  targetRate: 1,
  achievedRate: 1,
  dropped: 0,
  latency,
});

function merger(maxWaitMs = 4000) {
  const seen: Array<Array<[string, number]>> = [];
  const m = new SecondMerger(
    ["w0", "w1"],
    [{ accept: (ws) => seen.push(ws.map((w) => [w.worker, w.second])) }],
    maxWaitMs,
  );
  return { m, seen };
}

describe("SecondMerger", () => {
  it("hands a second over once, with every worker's windows, when all have sent it", () => {
    const { m, seen } = merger();
    m.accept("w0", [win("w0", 100), win("w0", 101)], 101_500);
    expect(seen).toEqual([]);
    m.accept("w1", [win("w1", 100)], 101_500);
    const both = (s: number) => [
      ["w0", s],
      ["w1", s],
    ];
    expect(seen).toEqual([both(100)]);
    m.accept("w1", [win("w1", 101)], 102_500);
    expect(seen).toEqual([both(100), both(101)]);
  });

  it("does not wait for a worker that ended, nor past maxWaitMs for a slow one", () => {
    const { m, seen } = merger(2000);
    m.accept("w0", [win("w0", 100), win("w0", 101)], 101_100);
    m.release(103_100);
    expect(seen).toEqual([[["w0", 100]]]);
    m.ended("w1", 103_200);
    expect(seen).toEqual([[["w0", 100]], [["w0", 101]]]);
  });

  it("keeps the newest second each worker sent", () => {
    const { m } = merger();
    m.accept("w1", [win("w1", 7), win("w1", 9)], 0);
    expect(m.newestSecond("w1")).toBe(9);
    expect(m.newestSecond("w0")).toBeUndefined();
  });
});

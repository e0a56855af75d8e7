import { describe, expect, it } from "vitest";
import { RunSeries } from "./run-series.ts";
import { readStepFigures, type StepFigures } from "./step-figures.ts";

const figures = (p95: number): StepFigures => ({
  p50: p95 / 2,
  p95,
  p99: p95 * 2,
  rate: 10,
  errors: 0,
  errorRate: 0,
  target: 10,
  achieved: 10,
  dropped: 0,
});

describe("RunSeries", () => {
  it("a replayed second replaces its figures instead of adding a point", () => {
    const series = new RunSeries();
    series.put(100, { checkout: figures(10) });
    series.put(101, { checkout: figures(20) });
    series.put(101, { checkout: figures(30) });
    expect(series.aligned("checkout", ["p95"])).toEqual([
      [100, 101],
      [10, 30],
    ]);
  });

  it("a late second lands in order, with gaps for steps that did not report it", () => {
    const series = new RunSeries();
    series.put(100, { a: figures(1) });
    series.put(102, { a: figures(3), b: figures(30) });
    series.put(101, { a: figures(2) });
    expect(series.aligned("a", ["p95"])).toEqual([
      [100, 101, 102],
      [1, 2, 3],
    ]);
    expect(series.aligned("b", ["p95"])).toEqual([
      [100, 101, 102],
      [null, null, 30],
    ]);
    expect(series.latest("b")?.p95).toBe(30);
  });

  it("finds the newest second with a figure past idle ones (a run's last seconds)", () => {
    const series = new RunSeries();
    series.put(100, { a: figures(10) });
    series.put(101, { a: figures(20) });
    series.put(102, { a: { ...figures(0), rate: 0, p50: null, p95: null, p99: null } });
    expect(series.latest("a")?.p95).toBeNull();
    expect(series.latestWith("a", (f) => f.p95 !== null)?.p95).toBe(20);
    expect(series.latestWith("a", () => false)).toBeUndefined();
    expect(series.latestWith("b", () => true)).toBeUndefined();
  });

  it("keeps at most maxPoints seconds, dropping the oldest", () => {
    const series = new RunSeries(3);
    for (let s = 0; s < 5; s++) series.put(s, { a: figures(s) });
    expect(series.aligned("a", ["p95"])).toEqual([
      [2, 3, 4],
      [2, 3, 4],
    ]);
  });
});

describe("readStepFigures", () => {
  const step = {
    count: 50,
    errors: 5,
    errorRate: 0.1,
    p50: 5,
    p95: 9,
    p99: 12,
    max: 20,
    targetRate: 60,
    achievedRate: 50,
    dropped: 10,
    workers: 1,
    causes: { http_503: { count: 5 } },
  };

  it("reads the hub's live step", () => {
    expect(readStepFigures(step)).toEqual({
      p50: 5,
      p95: 9,
      p99: 12,
      rate: 50,
      errors: 5,
      errorRate: 0.1,
      target: 60,
      achieved: 50,
      dropped: 10,
    });
  });

  it("gives a second without a request (a journey step between arrivals) no error share, not 0 %", () => {
    const idle = readStepFigures({ ...step, count: 0, errors: 0, errorRate: 0, p50: 0, p95: 0, p99: 0 });
    expect(idle.rate).toBe(0);
    expect(idle.errorRate).toBeNull();
  });

  it("shows the latency of a second where every request failed as a gap, not a zero", () => {
    const f = readStepFigures({ ...step, errors: 50, errorRate: 1, p50: 0, p95: 0, p99: 0 });
    expect(f.p95).toBeNull();
    expect(f.errorRate).toBe(1);
  });
});

import { describe, expect, it } from "vitest";
import { encodeHistogram, newHistogram, recordMicros } from "./histogram.ts";
import {
  evaluateThreshold,
  onFailureText,
  type ParsedThreshold,
  parseThreshold,
  stoppedEarlyText,
  totalsFromWindows,
} from "./threshold.ts";
import type { Window } from "./window.ts";

function parsed(expression: string): ParsedThreshold {
  const r = parseThreshold(expression);
  if (!r.ok) throw new Error(r.error);
  return r.threshold;
}

function window(step: string, latenciesMs: number[], extra: Partial<Window> = {}): Window {
  const h = newHistogram();
  for (const ms of latenciesMs) recordMicros(h, ms * 1000);
  return {
    runId: "r",
    step,
    worker: "w0",
    second: 1,
    count: latenciesMs.length,
    errors: { connect: 0, timeout: 0, http4xx: 0, http5xx: 0, assertion: 0 },
    bytes: 0,
    targetRate: 0,
    achievedRate: 0,
    dropped: 0,
    latency: encodeHistogram(h),
    ...extra,
  };
}

describe("parseThreshold", () => {
  it("parses steps, units and operators", () => {
    expect(parsed("p95(checkout) < 800ms")).toMatchObject({
      metric: "p95",
      step: "checkout",
      op: "<",
      limit: 800,
    });
    expect(parsed("p99 < 2s")).toMatchObject({ step: undefined, limit: 2000, percentile: 99 });
    expect(parsed("error_rate < 1%")).toMatchObject({ kind: "ratio", limit: 0.01 });
    expect(parsed("achieved_rate >= 0.95")).toMatchObject({ op: ">=", limit: 0.95 });
    expect(parsed("p99.9 <= 5s").percentile).toBe(99.9);
  });

  it("says what is wrong", () => {
    expect(parseThreshold("p95 is low")).toMatchObject({ ok: false });
    expect(parseThreshold("speed < 3")).toMatchObject({
      ok: false,
      error: expect.stringMatching(/unknown metric/),
    });
    expect(parseThreshold("error_rate < 3ms")).toMatchObject({
      ok: false,
      error: expect.stringMatching(/ratio/),
    });
  });
});

describe("evaluateThreshold", () => {
  const windows = [
    window("checkout", [100, 200, 900, 1000]),
    window("product", [5, 5, 5, 5, 5, 5, 5, 5], {
      errors: { connect: 0, timeout: 0, http4xx: 0, http5xx: 1, assertion: 0 },
    }),
    window("journey", [1200], { targetRate: 100, achievedRate: 90, dropped: 10 }),
  ];
  const totals = totalsFromWindows(windows);

  it("measures a step's percentile in ms", () => {
    const r = evaluateThreshold(parsed("p95(checkout) < 800ms"), totals);
    expect(r.ok).toBe(false);
    expect(r.value).toBeGreaterThan(990);
  });

  it("error rate counts every request but not the journey windows", () => {
    const r = evaluateThreshold(parsed("error_rate < 10%"), totals);
    expect(r.value).toBeCloseTo(1 / 12, 6);
    expect(r.ok).toBe(true);
  });

  it("achieved rate compares arrivals started with the target", () => {
    expect(evaluateThreshold(parsed("achieved_rate > 95%"), totals)).toEqual({ value: 0.9, ok: false });
    expect(evaluateThreshold(parsed("dropped < 11"), totals)).toEqual({ value: 10, ok: true });
  });

  it("no data never passes", () => {
    expect(evaluateThreshold(parsed("p95(chekout) < 800ms"), totals)).toEqual({ value: null, ok: false });
  });
});

describe("what a run's thresholds say about stopping it", () => {
  const stoppedBy = { expression: "error_rate < 20%", value: "52.24 %", worker: "w1" };

  it("names the threshold that stopped the run, its figure over its window and the worker", () => {
    expect(onFailureText({ expression: "error_rate < 20%", abortOnFail: true }, stoppedBy)).toBe(
      "stopped the run: 52.24 % over its window on worker w1",
    );
    expect(stoppedEarlyText(stoppedBy)).toBe("stopped early: error_rate < 20% was 52.24 % on worker w1");
    expect(stoppedEarlyText({ expression: "p95 < 1s", value: "1.20 s" })).toBe(
      "stopped early: p95 < 1s was 1.20 s",
    );
  });

  it("says what the other thresholds do when they fail", () => {
    expect(onFailureText({ expression: "p95 < 1s", abortOnFail: true }, stoppedBy)).toBe("aborts the run");
    expect(onFailureText({ expression: "p95 < 1s", abortOnFail: false })).toBe("judged at the end");
  });
});

import { describe, expect, it } from "vitest";
import { encodeHistogram, newHistogram, recordMicros } from "../../core/histogram.ts";
import { parseThreshold } from "../../core/threshold.ts";
import type { Window } from "../../core/window.ts";
import { judgeStep } from "./step-verdict.ts";

/** One second of one step: `count` requests at `ms` each, `errors` of them 5xx. */
function win(second: number, step: string, count: number, ms: number, errors = 0): Window {
  const h = newHistogram();
  for (let i = 0; i < count; i++) recordMicros(h, ms * 1000);
  return {
    runId: "r",
    step,
    worker: "w0",
    second,
    count,
    errors: { connect: 0, timeout: 0, http4xx: 0, http5xx: errors, assertion: 0 },
    bytes: 0,
    targetRate: step === "journey" ? count : 0,
    achievedRate: step === "journey" ? count : 0,
    dropped: 0,
    latency: encodeHistogram(h),
  } as Window;
}

const slo = (s: string) => {
  const r = parseThreshold(s);
  if (!r.ok) throw new Error(r.error);
  return r.threshold;
};
const slos = [slo("p95(checkout) < 800ms"), slo("error_rate < 1%")];
const options = { from: 100, to: 110, windowSeconds: 2, sustainWindows: 2 };

function second(s: number, checkoutMs: number, errors = 0): Window[] {
  return [win(s, "journey", 5, 900), win(s, "product", 10, 20, errors), win(s, "checkout", 5, checkoutMs)];
}

describe("judging a step", () => {
  it("holds through one noisy second", () => {
    const windows = Array.from({ length: 10 }, (_, i) => second(100 + i, i === 4 ? 3000 : 100)).flat();
    const v = judgeStep(windows, slos, options);
    expect(v.ok).toBe(true);
    expect(v.journeysPerSecond).toBe(5);
    expect(v.requestsPerSecond).toBe(15);
  });

  it("breaks on a sustained failure and names the SLO that failed first and its step", () => {
    const windows = Array.from({ length: 10 }, (_, i) =>
      second(100 + i, i >= 4 ? 1500 : 100, i >= 6 ? 2 : 0),
    ).flat();
    const v = judgeStep(windows, slos, options);
    expect(v.ok).toBe(false);
    expect(v.broken.map((b) => [b.expression, b.step, b.atSecond])).toEqual([
      ["p95(checkout) < 800ms", "checkout", 4],
      ["error_rate < 1%", "product", 6],
    ]);
    expect(v.broken[0]!.value).toMatch(/^1\.5\d s$/);
  });

  it("ignores the warm-up before its measured part", () => {
    const windows = Array.from({ length: 14 }, (_, i) => second(96 + i, i < 4 ? 5000 : 100)).flat();
    expect(judgeStep(windows, slos, options).ok).toBe(true);
  });

  it("breaks when an SLO has no data at all, so a misspelt step cannot pass", () => {
    const windows = Array.from({ length: 10 }, (_, i) => second(100 + i, 100)).flat();
    const v = judgeStep(windows, [slo("p95(chekout) < 800ms")], options);
    expect(v.ok).toBe(false);
    expect(v.broken[0]).toMatchObject({ value: "no data" });
  });
});

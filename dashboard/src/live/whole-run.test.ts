import { describe, expect, it } from "vitest";
import type { LatencySummary } from "../../../core/histogram.ts";
import type { WindowSummary } from "../../../core/window.ts";
import type { RunDetail } from "../api/types.ts";
import { finishedDetail, wholeRunP95 } from "./whole-run.ts";

const latency = (count: number, p95: number): LatencySummary =>
  ({ count, p50: p95 / 2, p90: p95, p95, p99: p95, max: p95, mean: p95 / 2, min: 0 }) as LatencySummary;
const summary = (extra: Partial<WindowSummary>): WindowSummary => ({
  count: 5,
  errors: { connect: 0, timeout: 0, http4xx: 0, http5xx: 0, assertion: 0 },
  causes: {},
  errorRate: 0,
  bytes: 0,
  dropped: 0,
  latency: latency(5, 18.7),
  failedLatency: latency(0, 0),
  ...extra,
});

describe("a finished run's latency tiles", () => {
  it("show the whole run's p95, not an idle last second's 'no request'", () => {
    expect(wholeRunP95(summary({}))).toEqual({ value: "18.7 ms", why: "" });
  });

  it("say why there is no figure: the run's causes, or no journey completed", () => {
    const failed = summary({
      latency: latency(0, 0),
      failedLatency: latency(5, 3),
      causes: { refused: { count: 5 } },
      errorRate: 1,
    });
    expect(wholeRunP95(failed)).toEqual({ value: "–", why: "no successful request: 5 × connection refused" });
    expect(wholeRunP95(failed, true)).toEqual({ value: "–", why: "no journey completed" });
    expect(wholeRunP95(undefined)).toEqual({ value: "–", why: "no request" });
  });
});

describe("which detail the whole-run tiles read", () => {
  const detail = (runId: string, status: string, count: number) =>
    ({
      run: { runId, status },
      steps: { journey: summary({ count }) },
      requests: summary({ count }),
    }) as unknown as RunDetail;

  it("not the one loaded while the run went on: at its end that still says 'no request'", () => {
    // Loaded at the run's start, its totals empty; the run has ended since (its socket message).
    const loadedAtStart = detail("r1", "running", 0);
    expect(finishedDetail(loadedAtStart, "r1")).toBeUndefined();
    expect(wholeRunP95(loadedAtStart.requests).why).toBe("no request");
  });

  it("the one loaded after the run ended, and only the bound run's", () => {
    const final = detail("r1", "passed", 90);
    expect(finishedDetail(final, "r1")).toBe(final);
    expect(finishedDetail(final, "r2")).toBeUndefined();
    expect(finishedDetail(undefined, "r1")).toBeUndefined();
  });
});

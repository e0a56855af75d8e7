import { describe, expect, it } from "vitest";
import { htmlReport } from "./html.ts";
import { junitXml } from "./junit.ts";
import { progressLine } from "./progress.ts";
import type { RunSummary } from "./summary.ts";

describe("reports", () => {
  it("the progress line shows elapsed/total, rate, p95 and errors", () => {
    const line = progressLine({
      elapsed: 75,
      total: 450,
      targetRate: 60,
      active: 12,
      errorRate: 0.0123,
      point: {
        second: 1,
        target: 60,
        achieved: 59,
        dropped: 1,
        requests: 240,
        errors: 3,
        p50: 4,
        p95: 81.26,
        p99: 120,
        serviceP99: 30,
      },
    });
    expect(line).toBe(
      "[1:15/7:30]  rate 59/s (target 60/s)  p95 81.3 ms  errors 1.23 %  dropped 1  active 12",
    );
  });

  it("JUnit names each threshold and fails only the failing ones, escaping XML", () => {
    const xml = junitXml(
      "r1",
      "holiday-spike",
      [
        { expression: "p95(checkout) < 800ms", ok: false, value: 912.5, abortOnFail: false },
        { expression: "error_rate < 1%", ok: true, value: 0.001, abortOnFail: false },
      ],
      12,
    );
    expect(xml).toContain('tests="2" failures="1"');
    expect(xml).toContain('name="p95(checkout) &lt; 800ms"');
    expect(xml).toContain('<failure message="threshold failed: p95(checkout) &lt; 800ms (measured 912.5)"');
  });

  it("the HTML report is one self-contained file with charts and escaped text", () => {
    const summary: RunSummary = {
      runId: "r1",
      profile: "<x>",
      target: "http://127.0.0.1:1",
      status: "passed",
      verdict: "passed: fine",
      startedAt: 0,
      endedAt: 2000,
      plannedSeconds: 2,
      elapsedSeconds: 2,
      requests: 2,
      errors: 0,
      errorRate: 0,
      targetArrivals: 2,
      achievedArrivals: 2,
      dropped: 0,
      steps: {},
      thresholds: [],
      faults: [{ at: 1, action: "set", fault: "latency" }],
      series: [
        {
          second: 10,
          target: 1,
          achieved: 1,
          dropped: 0,
          requests: 1,
          errors: 0,
          p50: 1,
          p95: 2,
          p99: 3,
          serviceP99: 1,
        },
        {
          second: 11,
          target: 1,
          achieved: 1,
          dropped: 0,
          requests: 1,
          errors: 0,
          p50: 1,
          p95: 2,
          p99: 3,
          serviceP99: 1,
        },
      ],
      stepSeries: {},
    };
    const html = htmlReport(summary);
    expect(html).toContain("&lt;x&gt;");
    expect(html).not.toMatch(/<script|<link|src=/);
    expect(html.match(/<svg/g)).toHaveLength(3);
    expect(html).toContain("set latency");
  });
});

import { describe, expect, it } from "vitest";
import { RunStats } from "../run-stats.ts";
import { WindowAggregator } from "../window-aggregator.ts";
import { htmlReport } from "./html.ts";
import { junitXml } from "./junit.ts";
import { progressLine } from "./progress.ts";
import { buildSummary, causeLines, headlineLines, thresholdLines } from "./summary.ts";

describe("reports", () => {
  it("the terminal leads with the combined verdict and names the generator's line for what it judges", () => {
    const verdict = "passed: 1200 requests, 0.20 % errors, p95 checkout 412 ms";
    const combinedVerdict = {
      runId: "r1",
      state: "passed-with-incidents" as const,
      thresholdsPassed: true,
      incidents: [],
      text: "Thresholds passed; 1 critical alert fired during the run (CheckoutErrorRate 16 % at 14:02 UTC)",
    };
    expect(headlineLines({ status: "passed", verdict, combinedVerdict })).toEqual([
      `verdict: passed with incidents: ${combinedVerdict.text}`,
      `thresholds ${verdict}`,
    ]);
    expect(
      headlineLines({
        status: "aborted",
        verdict: "aborted: 10 requests",
        combinedVerdict: { ...combinedVerdict, state: "aborted" },
      })[1],
    ).toBe("run aborted: 10 requests");
    // Without a hub the generator's line is the verdict.
    expect(headlineLines({ status: "passed", verdict })).toEqual([verdict]);
  });

  it("a run started under a fault switched on by hand names it on the terminal and in JUnit", () => {
    const combinedVerdict = {
      runId: "r1",
      state: "passed" as const,
      thresholdsPassed: true,
      incidents: [],
      text: "Thresholds passed; no alert fired during the run",
      faultsAtStart: [
        {
          at: 0,
          fault: "latency",
          action: "set" as const,
          by: "ops@shop.test",
          detail: "fixedMs=150",
          expiresAt: 60_000,
        },
      ],
    };
    const line =
      "Faults on at start: latency on (fixed 150 ms) since 1970-01-01T00:00:00.000Z until 1970-01-01T00:01:00.000Z, by ops@shop.test";
    expect(headlineLines({ status: "passed", verdict: "passed: 10 requests", combinedVerdict })[2]).toBe(
      line,
    );
    const xml = junitXml("r1", "smoke", [], 10, combinedVerdict);
    expect(xml).toContain(`<property name="peakwatch.faultsAtStart" value="${line}"/>`);
    // None on: no such line or property.
    const none = { ...combinedVerdict, faultsAtStart: undefined };
    expect(
      headlineLines({ status: "passed", verdict: "passed: 10 requests", combinedVerdict: none }),
    ).toHaveLength(2);
    expect(junitXml("r1", "smoke", [], 10, none)).not.toContain("faultsAtStart");
  });

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
      "[1:15/7:30]  arrivals 59/s (target 60/s)  requests 240/s  p95 81.3 ms  errors 1.23 %  dropped 1  active 12",
    );
  });

  it("the progress line keeps a fractional target and never shows 0 ms when every request failed", () => {
    const line = progressLine({
      elapsed: 10,
      total: 15,
      targetRate: 2.5,
      errorRate: 1,
      point: {
        second: 1,
        target: 2.5,
        achieved: 2,
        dropped: 0,
        requests: 3,
        errors: 3,
        p50: 0,
        p95: 0,
        p99: 0,
        serviceP99: 0,
      },
    });
    expect(line).toBe(
      "[0:10/0:15]  arrivals 2/s (target 2.5/s)  requests 3/s  p95 - (no request succeeded)  errors 100.00 %  dropped 0",
    );
  });

  it("the progress line never shows requests as arrivals, and a closed model shows requests alone", () => {
    const point = {
      second: 1,
      target: 1.5,
      achieved: 0,
      dropped: 0,
      requests: 24,
      errors: 0,
      p50: 3,
      p95: 5,
      p99: 8,
      serviceP99: 4,
    };
    // A second in which no journey started (their requests go on): not "24/s (target 1.5/s)".
    expect(progressLine({ elapsed: 20, total: 26, targetRate: 3, errorRate: 0, point })).toBe(
      "[0:20/0:26]  arrivals 0/s (target 1.5/s)  requests 24/s  p95 5.0 ms  errors 0.00 %  dropped 0",
    );
    expect(
      progressLine({ elapsed: 20, total: 60, targetRate: 0, errorRate: 0, point: { ...point, target: 0 } }),
    ).toBe("[0:20/1:00]  requests 24/s  p95 5.0 ms  errors 0.00 %  dropped 0");
    expect(progressLine({ elapsed: 0, total: 60, targetRate: 2, errorRate: 0, point: undefined })).toBe(
      "[0:00/1:00]  arrivals - (target 2/s)  requests -  p95 -  errors 0.00 %  dropped 0",
    );
  });

  it("a threshold with nothing to measure says why on the terminal", () => {
    const failed = { requests: 53, causes: { refused: { count: 53 } } };
    const lines = thresholdLines({
      requests: 53,
      steps: {
        products: failed,
        journey: { requests: 53, causes: {} },
      } as unknown as Parameters<typeof thresholdLines>[0]["steps"],
      thresholds: [
        { expression: "p95 < 1s", ok: false, value: null, abortOnFail: false },
        { expression: "p95(chekout) < 800ms", ok: false, value: null, abortOnFail: true },
      ],
    });
    expect(lines).toEqual([
      "  ✘ p95 < 1s  measured no data: no successful request: 53 × connection refused (limit < 1 s)",
      '  ✘ p95(chekout) < 800ms  measured no data: no step "chekout" ran in this run (limit < 800 ms)  [aborts the run]',
    ]);
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
    expect(xml).toContain(
      '<failure message="threshold failed: p95(checkout) &lt; 800ms (measured 912.5 ms, limit &lt; 800 ms)"',
    );
  });

  it("the HTML report is one self-contained file with charts, units, thresholds and errors by cause", () => {
    const stats = new RunStats();
    const agg = new WindowAggregator({ runId: "r1", worker: "w0", graceMs: 0, firstSecond: 10 }, [stats]);
    for (let i = 0; i < 8; i++) agg.request("get", 10_100 + i, 2_000, 1_500, 10, undefined);
    agg.request("get", 10_500, 300, undefined, 0, { cause: "refused", message: "ECONNREFUSED 127.0.0.1:1" });
    agg.request("get", 11_200, 9_000, 8_000, 10, { cause: "http_503", message: "HTTP 503" });
    agg.request("get", 11_300, 2_000, 1_000, 10, undefined);
    agg.flush(0, true);
    const thresholds = [
      { expression: "p95 < 800ms", ok: true, value: 2, abortOnFail: false },
      { expression: "error_rate < 1%", ok: false, value: 0.2, abortOnFail: true },
    ];
    const summary = buildSummary(
      {
        runId: "r1",
        profile: "<x>",
        target: "http://127.0.0.1:1",
        status: "failed",
        verdict: "failed",
        startedAt: 10_000,
        endedAt: 12_000,
        plannedSeconds: 2,
        thresholds,
        faults: [{ at: 1, action: "set", fault: "latency" }],
      },
      stats,
    );
    expect(summary.causes.map((c) => [c.step, c.cause, c.count])).toEqual([
      ["get", "http_503", 1],
      ["get", "refused", 1],
    ]);
    expect(summary.steps.get!.failed.count).toBe(2);
    expect(summary.steps.get!.count).toBe(8 + 1);
    const html = htmlReport(summary, stats);
    expect(html).toContain("&lt;x&gt;");
    expect(html).not.toMatch(/<script|<link|src=/);
    expect(html.match(/<svg/g)).toHaveLength(3);
    expect(html).toContain("▲ latency");
    expect(html).toContain("connection refused");
    expect(html).toContain("ECONNREFUSED 127.0.0.1:1");
    expect(html).toMatch(/<td>HTTP 503<\/td><td>get<\/td><td>1<\/td><td>9\.09 %<\/td>/);
    expect(html).toContain("<td>&lt; 1.00 %</td><td>20.00 %</td><td>aborts the run</td>");
    expect(html).toContain("<td>&lt; 800 ms</td><td>2.0 ms</td><td>judged at the end</td>");
    expect(causeLines(summary)[1]).toContain("HTTP 503 at get: 1 (9.09 % of its requests) – HTTP 503");
  });

  it("the HTML report says why a run whose every request failed has no latency, never 0 ms", () => {
    const stats = new RunStats();
    const agg = new WindowAggregator({ runId: "r2", worker: "w0", graceMs: 0, firstSecond: 10 }, [stats]);
    for (let i = 0; i < 4; i++)
      agg.request("get", 10_100 + i, 300, undefined, 0, { cause: "refused", message: "ECONNREFUSED" });
    agg.flush(0, true);
    const summary = buildSummary(
      {
        runId: "r2",
        profile: "smoke",
        target: "http://127.0.0.1:1",
        status: "failed",
        verdict: "failed",
        startedAt: 10_000,
        endedAt: 11_000,
        plannedSeconds: 1,
        thresholds: [{ expression: "p95(get) < 1s", ok: false, value: null, abortOnFail: false }],
        faults: [],
      },
      stats,
    );
    const html = htmlReport(summary, stats);
    const why = "no successful request: 4 × connection refused";
    expect(html).toContain(`<td>&lt; 1 s</td><td>no data: ${why}</td>`);
    expect(html).toContain(`<td colspan="4">${why}</td>`);
    expect(html).toContain(`<p>nothing to chart: ${why}</p>`);
    expect(html).not.toContain("0.0 ms");
    // Every request failed: the error share's axis ends at 100 %, not 110 %.
    expect(html).toContain(">100 %</text>");
    expect(html).not.toContain(">110 %</text>");
    // A rate reads "4/s" on its axis, as everywhere else; a duration or share keeps its space.
    expect(html).toMatch(/>[\d.]+\/s<\/text>/);
    expect(html).not.toMatch(/>[\d.]+ \/s<\/text>/);
  });
});

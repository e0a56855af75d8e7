import { describe, expect, it } from "vitest";
import { fingerprint } from "../../core/fingerprint.ts";
import { encodeHistogram, newHistogram, recordMicros } from "../../core/histogram.ts";
import { type Rule, RuleBodySchema } from "../../core/rule.ts";
import type { AlertData, WindowSample } from "./data.ts";
import { evaluateRule, type TrackedAlert } from "./evaluate.ts";
import { measure } from "./measure.ts";

function rule(spec: unknown): Rule {
  // A Rule spread back in keeps its read-only fields: the body schema drops them.
  return { ...RuleBodySchema.parse(spec), id: "r1", builtin: false, createdAt: 0, updatedAt: 0 };
}

function latencyOf(ms: number): string {
  const h = newHistogram();
  recordMicros(h, ms * 1000);
  return encodeHistogram(h);
}

function window(
  second: number,
  count: number,
  errors: number,
  extra: Partial<WindowSample> = {},
): WindowSample {
  return {
    runId: "run-1",
    target: "http://127.0.0.1:4100",
    step: "checkout",
    worker: "w0",
    second,
    count,
    errorCount: errors,
    targetRate: 0,
    achievedRate: 0,
    dropped: 0,
    ...extra,
  };
}

const errorRate = rule({
  kind: "threshold",
  name: "CheckoutErrorRate",
  severity: "critical",
  query: { source: "windows", stat: "error_rate", step: "checkout", windowSeconds: 3, minCount: 5 },
  comparator: ">",
  threshold: 0.1,
  forSeconds: 2,
  keepFiringForSeconds: 4,
  labels: { team: "shop" },
  annotations: { summary: "checkout errors at {{ $value | humanizePercentage }} on {{ $labels.runId }}" },
});

/** Evaluates `r` once per second over [from, to) against windows produced by `errorsAt(second)`. */
function timeline(r: Rule, from: number, to: number, errorsAt: (second: number) => number) {
  const windows: WindowSample[] = [];
  let previous = new Map<string, TrackedAlert>();
  const events: Array<[number, string]> = [];
  let last: TrackedAlert[] = [];
  for (let s = from; s < to; s++) {
    windows.push(window(s, 10, errorsAt(s)));
    // At (s + 1) seconds, second s is complete and stored.
    const result = evaluateRule(r, { windows, probes: [], metrics: [] }, previous, (s + 1) * 1000);
    for (const t of result.transitions) events.push([s + 1, t.kind]);
    previous = new Map(result.alerts.map((a) => [a.fingerprint, a]));
    last = result.alerts;
  }
  return { events, alerts: last };
}

describe("evaluateRule", () => {
  it("labels instances per run with alertname and severity, and fingerprints the sorted labels", () => {
    const { alerts } = timeline(errorRate, 100, 106, () => 5);
    expect(alerts).toHaveLength(1);
    const alert = alerts[0]!;
    expect(alert.labels).toEqual({
      alertname: "CheckoutErrorRate",
      severity: "critical",
      team: "shop",
      runId: "run-1",
      step: "checkout",
      target: "http://127.0.0.1:4100",
    });
    expect(alert.fingerprint).toBe(fingerprint({ ...alert.labels }));
    expect(alert.annotations.summary).toBe("checkout errors at 50% on run-1");
    expect(alert.valueText).toBe("50 %");
  });

  it("walks inactive → pending → firing → resolved with the rule's for and keep_firing_for", () => {
    // Fault from second 110 to 120 (50 % errors), clean before and after.
    const { events } = timeline(errorRate, 100, 140, (s) => (s >= 110 && s < 120 ? 5 : 0));
    // 3 s window: the first breaching evaluation is at 111 (seconds 108..110 hold 5/30 > 10 %).
    // for 2 s → firing at 113. Last breaching window ends with second 119 → last breach at 122
    // (seconds 119..121 still hold 5/30); keep_firing_for 4 s → resolved at 126.
    expect(events).toEqual([
      [111, "pending"],
      [113, "firing"],
      [126, "resolved"],
    ]);
  });

  it("a short blip shorter than `for` never fires", () => {
    // A one-second blip stays in the 3 s window for 3 evaluations: shorter than for = 5 s.
    const r = rule({ ...errorRate, forSeconds: 5 });
    const { events } = timeline(r, 100, 120, (s) => (s === 110 ? 10 : 0));
    expect(events.map((e) => e[1])).toEqual(["pending", "inactive"]);
  });

  it("flapping errors within keep_firing_for fire once and resolve once", () => {
    // Errors on for 2 s, off for 4 s, repeatedly: the window clears for at most 3 s at a time.
    const { events } = timeline(errorRate, 100, 160, (s) => (s < 140 && s % 6 < 2 ? 10 : 0));
    expect(events.map((e) => e[1])).toEqual(["pending", "firing", "resolved"]);
  });

  it("too few requests give no value, so nothing fires", () => {
    const spec = errorRate as Extract<Rule, { kind: "threshold" }>;
    const r = rule({ ...spec, query: { ...spec.query, minCount: 100 } });
    expect(timeline(r, 100, 110, () => 10).events).toEqual([]);
  });

  it("a run that stops reporting resolves its alert after keep_firing_for", () => {
    const windows = [window(100, 10, 9), window(101, 10, 9), window(102, 10, 9)];
    const data: AlertData = { windows, probes: [], metrics: [] };
    const r = rule({ ...errorRate, forSeconds: 0 });
    const firing = evaluateRule(r, data, new Map(), 103_000);
    expect(firing.transitions.map((t) => t.kind)).toEqual(["firing"]);
    const prev = new Map(firing.alerts.map((a) => [a.fingerprint, a]));
    const gone = { windows: [], probes: [], metrics: [] };
    expect(evaluateRule(r, gone, prev, 105_000).transitions).toEqual([]);
    const resolved = evaluateRule(r, gone, prev, 107_000);
    expect(resolved.transitions.map((t) => t.kind)).toEqual(["resolved"]);
    expect(resolved.alerts[0]!.value).toBeCloseTo(0.9);
  });
});

describe("measure", () => {
  const now = 200_000;
  const data: AlertData = {
    windows: [
      window(197, 10, 1, {
        latency: latencyOf(100),
        step: "journey",
        targetRate: 10,
        achievedRate: 8,
        dropped: 2,
      }),
      window(198, 10, 1, {
        latency: latencyOf(300),
        step: "journey",
        targetRate: 10,
        achievedRate: 6,
        dropped: 4,
      }),
      window(198, 10, 0, {
        latency: latencyOf(900),
        step: "journey",
        worker: "w1",
        targetRate: 10,
        achievedRate: 10,
      }),
      window(150, 10, 10, { step: "journey" }),
    ],
    probes: [
      {
        probe: "home",
        region: "eu",
        target: "http://127.0.0.1:4100/api/products",
        at: 195_000,
        ok: true,
        totalMs: 10,
      },
      {
        probe: "home",
        region: "eu",
        target: "http://127.0.0.1:4100/api/products",
        at: 196_000,
        ok: false,
        totalMs: 50,
      },
      {
        probe: "home",
        region: "eu",
        target: "http://127.0.0.1:4100/api/products",
        at: 197_000,
        ok: true,
        totalMs: 30,
      },
      {
        probe: "home",
        region: "eu",
        target: "http://127.0.0.1:4100/api/products",
        at: 100_000,
        ok: false,
        totalMs: 1,
      },
    ],
    metrics: [
      { series: "nodejs_eventloop_lag_p99_seconds", labels: {}, at: 190_000, value: 0.1 },
      { series: "nodejs_eventloop_lag_p99_seconds", labels: {}, at: 199_000, value: 0.4 },
    ],
  };
  const measured = (query: unknown) =>
    measure(rule({ kind: "threshold", name: "X", query, comparator: ">", threshold: 0 }), data, now)[0]
      ?.value;

  it("merges latency histograms across workers and seconds (never averages percentiles)", () => {
    expect(measured({ source: "windows", stat: "p50", step: "journey", windowSeconds: 5 })).toBeCloseTo(
      300,
      0,
    );
    expect(measured({ source: "windows", stat: "p99", step: "journey", windowSeconds: 5 })).toBeCloseTo(
      900,
      0,
    );
  });

  it("computes error rate, rate, achieved ratio and dropped over the window only", () => {
    expect(
      measured({ source: "windows", stat: "error_rate", step: "journey", windowSeconds: 5 }),
    ).toBeCloseTo(2 / 30);
    expect(measured({ source: "windows", stat: "rate", step: "journey", windowSeconds: 5 })).toBeCloseTo(6);
    expect(
      measured({ source: "windows", stat: "achieved_ratio", step: "journey", windowSeconds: 5 }),
    ).toBeCloseTo(0.8);
    expect(measured({ source: "windows", stat: "dropped", step: "journey", windowSeconds: 5 })).toBe(6);
  });

  it("computes probe success ratio and latency per probe, labelled with the target origin", () => {
    const series = measure(
      rule({
        kind: "threshold",
        name: "X",
        query: { source: "probes", stat: "success_ratio", windowSeconds: 10 },
        comparator: "<",
        threshold: 0.9,
      }),
      data,
      now,
    );
    expect(series).toEqual([
      {
        labels: { probe: "home", region: "eu", target: "http://127.0.0.1:4100" },
        value: 2 / 3,
        breaching: true,
      },
    ]);
    expect(measured({ source: "probes", stat: "latency_p50", windowSeconds: 10 })).toBe(30);
  });

  it("reduces a scraped series over the window", () => {
    const q = { source: "metrics", series: "nodejs_eventloop_lag_p99_seconds", windowSeconds: 30 };
    expect(measured({ ...q, stat: "last" })).toBe(0.4);
    expect(measured({ ...q, stat: "avg" })).toBeCloseTo(0.25);
    expect(measured({ ...q, stat: "max", windowSeconds: 5 })).toBe(0.4);
  });

  it("a burn-rate rule breaches only while both the long and the short window burn too fast", () => {
    const burn = rule({
      kind: "burn_rate",
      name: "CheckoutBudget",
      step: "checkout",
      objective: 0.99,
      windows: [{ longSeconds: 60, shortSeconds: 5, factor: 10 }],
    });
    const windows: WindowSample[] = [];
    // 50 s of 20 % errors (burn 20×), then 10 s clean.
    for (let s = 0; s < 50; s++) windows.push(window(s, 100, 20));
    for (let s = 50; s < 60; s++) windows.push(window(s, 100, 0));
    const at = (second: number) => measure(burn, { windows, probes: [], metrics: [] }, second * 1000)[0]!;
    expect(at(40)).toMatchObject({ breaching: true });
    expect(at(40).value).toBeCloseTo(20);
    // At 60 s the long window still burns 16.7× but the short one is clean: no longer breaching.
    expect(at(60).value).toBeCloseTo((50 * 20) / (60 * 100) / 0.01);
    expect(at(60).breaching).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import { faultAt, type RunIncident, runVerdict } from "./verdict.ts";

const start = Date.UTC(2026, 10, 30, 14, 0, 0);
const incident = (extra: Partial<RunIncident>): RunIncident => ({
  rule: "CheckoutErrorRate",
  severity: "critical",
  fingerprint: "0123456789abcdef",
  value: 0.16,
  valueText: "16 %",
  at: start + 120_000,
  summary: "Checkout error rate 16%",
  injectedFault: null,
  ...extra,
});
const passed = {
  runId: "r1",
  status: "passed" as const,
  thresholds: [{ expression: "p95(checkout) < 800ms", ok: true, value: 400, abortOnFail: false }],
};

describe("runVerdict", () => {
  it("says passed only when thresholds held and no critical alert fired", () => {
    expect(runVerdict(passed, [])).toMatchObject({
      state: "passed",
      text: "Thresholds passed; no alert fired during the run",
    });
  });

  it("is passed-with-incidents when a critical alert fired, naming it with value and time", () => {
    const v = runVerdict(passed, [incident({})]);
    expect(v.state).toBe("passed-with-incidents");
    expect(v.text).toBe(
      "Thresholds passed; 1 critical alert fired during the run (CheckoutErrorRate 16 % at 14:02 UTC)",
    );
  });

  it("tells two alerts of one rule apart by the label that differs, and names a lone one by its rule alone", () => {
    const down = (probe: string, at: number) =>
      incident({
        rule: "ShopDown",
        valueText: "0 %",
        at,
        firingAtStart: true,
        labels: { alertname: "ShopDown", severity: "critical", probe, region: "local" },
      });
    const v = runVerdict(passed, [
      down("shop-cart", start - 60_000),
      down("shop-home", start - 30_000),
      incident({}),
    ]);
    expect(v.text).toBe(
      "Thresholds passed; 2 critical alerts already firing when the run started (ShopDown (probe shop-cart) 0 %, firing since 13:59 UTC; ShopDown (probe shop-home) 0 %, firing since 13:59 UTC); 1 critical alert fired during the run (CheckoutErrorRate 16 % at 14:02 UTC)",
    );
  });

  it("names the fault the profile injected next to the alert it caused", () => {
    const v = runVerdict(passed, [incident({ injectedFault: "payment_failure (percentage 30)" })]);
    expect(v.text).toContain(
      "CheckoutErrorRate 16 % at 14:02 UTC, caused by the injected fault payment_failure (percentage 30)",
    );
  });

  it("keeps failed thresholds failed and lists warnings apart from critical alerts", () => {
    const failed = {
      ...passed,
      status: "failed" as const,
      thresholds: [{ ...passed.thresholds[0]!, ok: false }],
    };
    const v = runVerdict(failed, [
      incident({ severity: "warning", rule: "CheckoutLatencyHigh", valueText: "912 ms" }),
    ]);
    expect(v.state).toBe("failed");
    expect(v.text).toBe(
      "Thresholds failed (p95(checkout) < 800ms); 1 other alert (CheckoutLatencyHigh 912 ms at 14:02 UTC)",
    );
  });

  it("a warning alone does not turn a pass into passed-with-incidents", () => {
    expect(runVerdict(passed, [incident({ severity: "warning" })]).state).toBe("passed");
  });
});

describe("faultAt", () => {
  const markers = [
    { at: 60, action: "set" as const, fault: "payment_failure", detail: '{"percentage":30}' },
    { at: 120, action: "clear" as const, fault: "payment_failure" },
  ];
  it("finds the fault active when the alert fired, and for a minute after it cleared", () => {
    expect(faultAt(markers, start, start + 30_000)).toBeNull();
    expect(faultAt(markers, start, start + 90_000)).toBe("payment_failure (percentage 30)");
    expect(faultAt(markers, start, start + 170_000)).toBe("payment_failure (percentage 30)");
    expect(faultAt(markers, start, start + 200_000)).toBeNull();
  });
});

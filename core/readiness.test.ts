import { describe, expect, it } from "vitest";
import { readinessVerdict, sloLabel } from "./readiness.ts";

describe("readiness verdict", () => {
  it("says ready with the headroom when capacity covers the planned peak", () => {
    const v = readinessVerdict({ capacityJourneys: 420, plannedPeak: 262.5, knee: null });
    expect(v).toEqual({
      ready: true,
      headroom: 1.6,
      text: "Ready: capacity 420 journeys/s, 1.6× the planned peak",
    });
  });

  it("names the SLO that breaks and where, relative to the planned peak, when it does not", () => {
    const v = readinessVerdict({
      capacityJourneys: 63,
      plannedPeak: 100,
      knee: { rate: 70, slo: "p95(checkout)<800ms", step: "checkout", value: "1500.0 ms" },
    });
    expect(v.ready).toBe(false);
    expect(v.headroom).toBeCloseTo(0.63);
    expect(v.text).toBe("Not ready: checkout p95 breaks at 0.7× the planned peak");
  });

  it("never rounds a capacity just below the peak up to 1.0×", () => {
    const v = readinessVerdict({ capacityJourneys: 99.5, plannedPeak: 100, knee: null });
    expect(v.text).toBe("Not ready: capacity 99.5 journeys/s, 0.9× the planned peak");
  });

  it("reports the capacity alone without a planned peak", () => {
    expect(readinessVerdict({ capacityJourneys: 12.34, plannedPeak: null, knee: null })).toMatchObject({
      ready: null,
      headroom: null,
      text: "Measured: capacity 12.3 journeys/s (no planned peak to compare with)",
    });
  });

  it("labels SLOs the way people say them", () => {
    expect(sloLabel("p95(checkout) < 800ms", null)).toBe("checkout p95");
    expect(sloLabel("error_rate<1%", "cart_add")).toBe("cart_add error rate");
    expect(sloLabel("error_rate < 1%", null)).toBe("error rate");
  });
});

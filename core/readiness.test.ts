import { describe, expect, it } from "vitest";
import { readinessVerdict, sloLabel } from "./readiness.ts";

describe("readiness verdict", () => {
  it("says ready with the headroom when capacity covers the planned peak", () => {
    const v = readinessVerdict({
      capacityJourneys: 420,
      plannedPeak: 262.5,
      knee: { rate: 460, slo: "p95(checkout)<800ms", step: "checkout", value: "912.0 ms" },
    });
    expect(v).toEqual({
      ready: true,
      headroom: 1.6,
      text: "Ready: capacity 420 journeys/s, 1.6× the planned peak",
    });
  });

  it('says "at least" when no step broke: the search found a lower bound, not the capacity', () => {
    expect(readinessVerdict({ capacityJourneys: 200, plannedPeak: 40, knee: null }).text).toBe(
      "Ready: capacity at least 200 journeys/s, at least 5.0× the planned peak",
    );
    const short = readinessVerdict({ capacityJourneys: 30, plannedPeak: 40, knee: null });
    expect(short.ready).toBe(false);
    expect(short.text).toBe(
      "Not shown ready: held every step up to 30 journeys/s, 0.7× the planned peak; raise --max-rate past the peak",
    );
    expect(readinessVerdict({ capacityJourneys: 12.34, plannedPeak: null, knee: null }).text).toBe(
      "Measured: capacity at least 12.3 journeys/s (no planned peak to compare with)",
    );
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
    expect(v.text).toBe(
      "Not shown ready: held every step up to 99.5 journeys/s, 0.9× the planned peak; raise --max-rate past the peak",
    );
  });

  it("reports the capacity alone without a planned peak", () => {
    expect(
      readinessVerdict({
        capacityJourneys: 12.34,
        plannedPeak: null,
        knee: { rate: 460, slo: "p95(checkout)<800ms", step: "checkout", value: "912.0 ms" },
      }),
    ).toMatchObject({
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

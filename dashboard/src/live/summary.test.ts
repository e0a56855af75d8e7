import { describe, expect, it } from "vitest";
import { readSummary } from "./summary.ts";

describe("readSummary", () => {
  it("reads the hub's manager summary", () => {
    const view = readSummary({
      firing: 2,
      slos: [{ name: "CheckoutErrorBudgetBurn", objective: 0.99, current: 0.97, ok: false }],
      incidents: {
        last24h: { count: 3, resolved: 2, meanSecondsToResolve: 420 },
        last7d: { count: 5, resolved: 5, meanSecondsToResolve: null },
      },
    });
    expect(view).toMatchObject({
      firing: 2,
      slos: [
        { name: "CheckoutErrorBudgetBurn", objective: 0.99, current: 0.97, ok: false, status: "breached" },
      ],
      windows: [
        { label: "24 h", incidents: 3, meanSecondsToResolve: 420 },
        { label: "7 days", incidents: 5, meanSecondsToResolve: null },
      ],
    });
  });

  it("shows nothing firing and no incidents for an empty answer rather than failing", () => {
    expect(readSummary(undefined)).toEqual({
      firing: 0,
      firingAlerts: [],
      profiles: [],
      latestRun: null,
      slos: [],
      windows: [
        { label: "24 h", incidents: 0, meanSecondsToResolve: null },
        { label: "7 days", incidents: 0, meanSecondsToResolve: null },
      ],
    });
  });
});

describe("readSummary objectives and alerts", () => {
  it("says no data for an objective the hub could not measure, and names firing alerts", () => {
    const view = readSummary({
      firing: 1,
      firingAlerts: [{ rule: "ShopDown", severity: "critical", firedAt: 1000, summary: "down" }],
      slos: [{ name: "Burn", objective: 0.99, current: null, status: "no data", ok: false }],
    });
    expect(view.slos[0]!.status).toBe("no data");
    expect(view.firingAlerts).toEqual([
      { rule: "ShopDown", severity: "critical", firedAt: 1000, summary: "down", acknowledgedBy: null },
    ]);
  });
});

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
    expect(view).toEqual({
      firing: 2,
      slos: [{ name: "CheckoutErrorBudgetBurn", objective: 0.99, current: 0.97, ok: false }],
      windows: [
        { label: "24 h", incidents: 3, meanSecondsToResolve: 420 },
        { label: "7 days", incidents: 5, meanSecondsToResolve: null },
      ],
    });
  });

  it("shows nothing firing and no incidents for an empty answer rather than failing", () => {
    expect(readSummary(undefined)).toEqual({
      firing: 0,
      slos: [],
      windows: [
        { label: "24 h", incidents: 0, meanSecondsToResolve: null },
        { label: "7 days", incidents: 0, meanSecondsToResolve: null },
      ],
    });
  });
});

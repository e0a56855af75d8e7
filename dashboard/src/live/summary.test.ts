import { describe, expect, it } from "vitest";
import { readSummary } from "./summary.ts";

const summary = {
  firing: 2,
  firingAlerts: [],
  pending: 0,
  acknowledged: 0,
  slos: [{ name: "CheckoutErrorBudgetBurn", objective: 0.99, current: 0.97, status: "breached", ok: false }],
  incidents: {
    last24h: { count: 3, resolved: 2, open: 1, meanSecondsToResolve: 420 },
    last7d: { count: 5, resolved: 5, meanSecondsToResolve: null },
  },
  profiles: ["smoke"],
  latestRunChoice: { rule: "the last run longer than one minute" },
  latestRun: null,
};

describe("readSummary", () => {
  it("reads the hub's manager summary and names its incident windows", () => {
    const view = readSummary(summary);
    expect(view.slos).toEqual(summary.slos);
    expect(view.windows).toEqual([
      { label: "24 h", incidents: 3, open: 1, meanSecondsToResolve: 420 },
      { label: "7 days", incidents: 5, open: 0, meanSecondsToResolve: null },
    ]);
  });

  it("refuses an answer in another shape, naming the field, instead of guessing", () => {
    const renamed = { ...summary, slos: [{ rule: "x", target: 0.99, value: 0.9, ok: true }] };
    expect(() => readSummary(renamed)).toThrow(/slos\.0\.name/);
    expect(() => readSummary(undefined)).toThrow(/contract/);
  });
});

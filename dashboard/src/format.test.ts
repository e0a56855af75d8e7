import { describe, expect, it } from "vitest";
import {
  formatAgo,
  formatDuration,
  formatLabels,
  formatMs,
  formatPercent,
  formatRate,
  formatTime,
  nameParts,
} from "./format.ts";

describe("format", () => {
  it("sizes milliseconds to the value", () => {
    expect(formatMs(0.4234)).toBe("0.42 ms");
    expect(formatMs(12.34)).toBe("12.3 ms");
    expect(formatMs(412.4)).toBe("412 ms");
    expect(formatMs(1250)).toBe("1.25 s");
    expect(formatMs(null)).toBe("–");
  });

  it("prints ratios as percentages and rates per second", () => {
    expect(formatPercent(0.0123)).toBe("1.23 %");
    expect(formatRate(12.55)).toBe("12.6/s");
    expect(formatRate(250.4)).toBe("250/s");
  });

  it("puts durations in words", () => {
    expect(formatDuration(45)).toBe("45 s");
    expect(formatDuration(200)).toBe("3 min 20 s");
    expect(formatDuration(7500)).toBe("2 h 5 min");
    expect(formatDuration(3 * 86_400 + 4 * 3600)).toBe("3 d 4 h");
  });

  it("says how long ago", () => {
    expect(formatAgo(10_000, 12_000)).toBe("just now");
    expect(formatAgo(0, 300_000)).toBe("5 min ago");
  });

  it("prints labels sorted", () => {
    expect(formatLabels({ step: "checkout", alertname: "HighP95" })).toBe("alertname=HighP95, step=checkout");
  });

  it("splits a rule name into the words a line may break between", () => {
    expect(nameParts("CheckoutErrorBudgetBurn")).toEqual(["Checkout", "Error", "Budget", "Burn"]);
    expect(nameParts("p95_checkout_SLO")).toEqual(["p95_", "checkout_", "SLO"]);
    expect(nameParts("HTTP5xxRate")).toEqual(["HTTP5xx", "Rate"]);
    expect(nameParts("x")).toEqual(["x"]);
    for (const name of ["CheckoutErrorBudgetBurn", "a_b_", "ÄrgerNow", ""])
      expect(nameParts(name).join("")).toBe(name);
  });
});

describe("formatTime", () => {
  it("shows the year and the time zone, so an instant reads the same to everyone", () => {
    const text = formatTime(Date.UTC(2026, 11, 6, 1, 2, 3));
    expect(text).toMatch(/2026/);
    expect(text).toMatch(/\b(UTC|GMT|[A-Z]{2,5})([+-]\d{1,2}(:\d\d)?)?$/);
    expect(formatTime(null)).toBe("–");
  });
});

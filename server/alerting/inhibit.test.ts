import { describe, expect, it } from "vitest";
import { defaultInhibitRules } from "./defaults.ts";
import { isInhibited } from "./inhibit.ts";

describe("inhibition", () => {
  const shopDown = {
    fingerprint: "a",
    labels: { alertname: "ShopDown", category: "availability", target: "http://shop:4100" },
  };
  const latency = {
    fingerprint: "b",
    labels: { alertname: "CheckoutLatencyHigh", category: "latency", target: "http://shop:4100" },
  };
  const otherShop = { fingerprint: "c", labels: { ...latency.labels, target: "http://other:4100" } };
  const errors = {
    fingerprint: "d",
    labels: { alertname: "CheckoutErrorRate", category: "errors", target: "http://shop:4100" },
  };

  it("a firing ShopDown mutes latency alerts for the same target only", () => {
    const firing = [shopDown, latency, otherShop, errors];
    expect(isInhibited(latency, firing, defaultInhibitRules)).toBe(true);
    expect(isInhibited(otherShop, firing, defaultInhibitRules)).toBe(false);
    expect(isInhibited(errors, firing, defaultInhibitRules)).toBe(false);
    expect(isInhibited(shopDown, firing, defaultInhibitRules)).toBe(false);
  });

  it("without a source alert nothing is muted", () => {
    expect(isInhibited(latency, [latency], defaultInhibitRules)).toBe(false);
  });
});

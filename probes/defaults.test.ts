import { describe, expect, it } from "vitest";
import { defaultProbes } from "./defaults.ts";
import { findUndefinedVariable } from "./template-check.ts";

describe("default probes", () => {
  const probes = defaultProbes({ shopUrl: "http://127.0.0.1:4100/", testHooksToken: "t", customers: 50 });

  it("use only variables they define before use", () => {
    expect(findUndefinedVariable(probes)).toBeUndefined();
  });

  it("check every 10-15 s, the flow every 30 s, and send a synthetic address", () => {
    expect(Object.fromEntries(probes.map((p) => [p.name, p.interval]))).toEqual({
      "shop-home": 10_000,
      "shop-product": 15_000,
      "shop-search": 15_000,
      "shop-cart": 15_000,
      "shop-checkout": 30_000,
    });
    expect(JSON.stringify(probes)).not.toContain("4100//");
    for (const probe of probes) expect(JSON.stringify(probe)).toContain("x-forwarded-for");
  });

  it("log in as one of the seeded customers", () => {
    const flow = probes.find((p) => p.name === "shop-checkout");
    expect(flow?.kind === "flow" && flow.vars.email).toBe("customer{{randomInt 1 50}}@shop.test");
  });
});

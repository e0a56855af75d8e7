import { describe, expect, it } from "vitest";
import { faultDetailWords, faultsAtStartText } from "./faults-at-start.ts";

describe("faultsAtStartText", () => {
  const iso = (ms: number) => new Date(ms).toISOString();
  it("names each switch with its parameters, since when and who", () => {
    const text = faultsAtStartText(
      [
        { at: 0, fault: "latency", action: "set", by: "ops@shop.test", detail: "fixedMs=150" },
        { at: 1000, fault: "errors", action: "set", by: "another project", detail: null },
      ],
      iso,
    );
    expect(text).toBe(
      "Faults on at start: latency on (fixed 150 ms) since 1970-01-01T00:00:00.000Z, by ops@shop.test; errors on since 1970-01-01T00:00:01.000Z, by another project",
    );
  });
  it("says until when a switch that turns itself off stays on", () => {
    const text = faultsAtStartText(
      [{ at: 0, fault: "latency", action: "set", by: "ops@shop.test", detail: null, expiresAt: 60_000 }],
      iso,
    );
    expect(text).toBe(
      "Faults on at start: latency on since 1970-01-01T00:00:00.000Z until 1970-01-01T00:01:00.000Z, by ops@shop.test",
    );
  });
  it("is null when no switch was on", () => {
    expect(faultsAtStartText([], iso)).toBeNull();
  });

  it("words each parameter with its unit", () => {
    expect(
      faultDetailWords(
        'fixedMs=150, jitterMs=20, probability=0.5, routes=["/checkout","/cart"], aboveRatePerSecond=40',
      ),
    ).toBe("fixed 150 ms, jitter 20 ms, probability 50 %, routes /checkout, /cart, above rate per second 40");
    expect(faultDetailWords("percentage=30")).toBe("30 %");
    expect(faultDetailWords('productId="p-1", status=503')).toBe("product id p-1, status 503");
    expect(faultDetailWords("not key value text")).toBe("not key value text");
  });
});

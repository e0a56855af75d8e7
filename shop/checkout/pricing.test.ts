import { describe, expect, it } from "vitest";
import { convertFromUsdCents, shippingQuoteCents } from "./pricing.ts";

describe("pricing", () => {
  it("converts into each currency's minor unit", () => {
    expect(convertFromUsdCents(10_000, "USD")).toBe(10_000);
    expect(convertFromUsdCents(10_000, "EUR")).toBe(9_200);
    expect(convertFromUsdCents(10_000, "JPY")).toBe(15_150);
  });

  it("quotes shipping by item count and destination, free from $100", () => {
    expect(shippingQuoteCents({ itemCount: 1, subtotalCents: 500 })).toBe(499);
    expect(shippingQuoteCents({ itemCount: 3, subtotalCents: 500, country: "US" })).toBe(697);
    expect(shippingQuoteCents({ itemCount: 1, subtotalCents: 500, country: "DE" })).toBe(1499);
    expect(shippingQuoteCents({ itemCount: 9, subtotalCents: 10_000 })).toBe(0);
  });
});

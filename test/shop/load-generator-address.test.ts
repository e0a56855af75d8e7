import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOAD_GENERATOR_HEADER } from "../../core/shop-api.ts";
import { HOOKS_TOKEN, startTestShop, type TestShop } from "../helpers/shop.ts";

/**
 * Without a proxy in front (SHOP_TRUST_PROXY unset, as under `peakwatch up`), a client cannot pick
 * its own address for the per-address limits; the stack's own load generator, which holds the
 * test-hooks token, can name each simulated shopper's address, so a holiday spike from one
 * machine is not refused as one address.
 */
describe("per-address login limits and the stack's load generator", () => {
  let shop: TestShop;
  beforeAll(async () => {
    shop = await startTestShop("pglite", {
      env: { SHOP_TRUST_PROXY: "0", SHOP_RATE_OTP_REQUEST_PER_ADDRESS: "3", SHOP_SEED_PRODUCTS: "50" },
    });
  });
  afterAll(() => shop?.close());

  /** Asks for login codes for `n` different customers, each claiming its own address. */
  async function requestCodes(n: number, extra: Record<string, string>): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i < n; i++) {
      const response = await fetch(`${shop.url}/api/auth/otp/request`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": `10.77.0.${i + 1}`, ...extra },
        body: JSON.stringify({ email: `customer${i + 1}@shop.test` }),
      });
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    return statuses;
  }

  it("ignores a forged X-Forwarded-For: the fourth request from one socket address is refused", async () => {
    expect(await requestCodes(5, {})).toEqual([200, 200, 200, 429, 429]);
  });

  it("ignores it with a wrong token as well", async () => {
    expect(
      (await requestCodes(2, { [LOAD_GENERATOR_HEADER]: "not-the-token" })).every((s) => s === 429),
    ).toBe(true);
  });

  it("takes each simulated shopper's address from the load generator that holds the test-hooks token", async () => {
    expect(await requestCodes(8, { [LOAD_GENERATOR_HEADER]: HOOKS_TOKEN })).toEqual(Array(8).fill(200));
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../loadgen/clock.ts";
import { HttpClient } from "../../loadgen/http-client.ts";
import { KnownProducts } from "../../loadgen/journeys/known-products.ts";
import { JourneySession } from "../../loadgen/journeys/session.ts";
import { shopJourneys } from "../../loadgen/journeys/shop.ts";
import { VirtualUser } from "../../loadgen/virtual-user.ts";
import { WindowAggregator } from "../../loadgen/window-aggregator.ts";
import { HOOKS_TOKEN, startTestShop, type TestShop } from "../helpers/shop.ts";

/** Built-in shop journeys against the real shop, one virtual user at a time. */
describe("shop journeys", () => {
  let shop: TestShop;
  let http: HttpClient;
  beforeAll(async () => {
    shop = await startTestShop("pglite", { env: { SHOP_SEED_PRODUCTS: "20", SHOP_SEED_CUSTOMERS: "2" } });
    http = new HttpClient(shop.url, systemClock, 4);
  });
  afterAll(async () => {
    await http?.close();
    await shop?.close();
  });

  it("a shopper whose full cart is abandoned still checks out what they added: the cart is never empty at checkout", async () => {
    const steps: Array<[string, boolean]> = [];
    const aggregator = new WindowAggregator(
      {
        runId: "journeys",
        worker: "w0",
        graceMs: 1000,
        targetOf: () => 1,
        firstSecond: Math.floor(Date.now() / 1000),
        onRequest: (step, _end, _latency, _service, ok) => steps.push([step, ok]),
      },
      [],
    );
    const ctx = {
      http,
      aggregator,
      clock: systemClock,
      timeoutMs: 10_000,
      signal: new AbortController().signal,
      testHooksToken: HOOKS_TOKEN,
      catalog: new KnownProducts(),
    };
    const vu = new VirtualUser(0, 2);
    const products = (await (await fetch(`${shop.url}/api/products?pageSize=20`)).json()) as {
      items: Array<{ id: string }>;
    };
    const ids = products.items.map((p) => p.id);
    expect(ids.length).toBeGreaterThanOrEqual(9);
    const journey = async (name: keyof typeof shopJourneys, productId: string) => {
      // A catalog of one product, known: the journey adds exactly that one.
      ctx.catalog = new KnownProducts();
      ctx.catalog.remember([productId], 1);
      const session = new JourneySession(vu, ctx, systemClock.now(), undefined);
      await shopJourneys[name](session);
      session.finish();
      return session.failure;
    };
    // A returning shopper who logs in once and then fills the cart with 8 lines.
    expect(await journey("checkout", ids[0]!)).toBeUndefined();
    for (const id of ids.slice(1, 9)) expect(await journey("add_to_cart", id)).toBeUndefined();
    steps.length = 0;
    // The ninth line makes the cart too big: abandoned, then the product goes back in and is bought.
    expect(await journey("checkout", ids[9]!)).toBeUndefined();
    expect(steps).toEqual([
      ["product", true],
      ["cart_add", true],
      ["cart_clear", true],
      ["cart_add", true],
      ["cart_view", true],
      ["checkout", true],
    ]);
  });
});

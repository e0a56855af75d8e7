import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orders } from "../../db/schema/shop.ts";
import { defaultProbes } from "../../probes/defaults.ts";
import { checkProbe } from "../../probes/kinds/index.ts";
import { databaseKinds } from "../helpers/db.ts";
import { testContext } from "../helpers/probes.ts";
import { ADMIN_TOKEN, HOOKS_TOKEN, startTestShop, type TestShop } from "../helpers/shop.ts";

for (const kind of databaseKinds) {
  describe(`[${kind}] the default probes against the reference shop`, () => {
    let shop: TestShop;
    beforeAll(async () => {
      shop = await startTestShop(kind);
    });
    afterAll(() => shop?.close());

    const probes = () => defaultProbes({ shopUrl: shop.url, testHooksToken: HOOKS_TOKEN, customers: 100 });

    it("covers home, product detail, search, cart and the login + checkout flow", () => {
      expect(probes().map((p) => p.name)).toEqual([
        "shop-home",
        "shop-product",
        "shop-search",
        "shop-cart",
        "shop-checkout",
      ]);
      expect(
        defaultProbes({ shopUrl: "http://x", testHooksToken: undefined, customers: 1 }).map((p) => p.name),
      ).not.toContain("shop-checkout");
    });

    it("the browsing probes pass against a healthy shop", async () => {
      for (const probe of probes().filter((p) => p.name !== "shop-checkout")) {
        const result = await checkProbe(probe, AbortSignal.timeout(probe.timeout), testContext());
        expect(result.message, probe.name).toBeUndefined();
        expect(result.ok, probe.name).toBe(true);
      }
    });

    it("the flow logs in with OTP through the capture mailbox, adds to cart and checks out", async () => {
      const flow = probes().find((p) => p.name === "shop-checkout")!;
      const before = (await shop.database.db.select({ id: orders.id }).from(orders)).length;
      const result = await checkProbe(flow, AbortSignal.timeout(flow.timeout), testContext());
      expect(result.message).toBeUndefined();
      expect(result).toMatchObject({ ok: true, status: 201 });
      expect(result.steps?.map((s) => [s.name, s.ok, s.status])).toEqual([
        ["request-code", true, 200],
        ["read-code", true, 200],
        ["verify", true, 200],
        ["list", true, 200],
        ["add-to-cart", true, 201],
        ["checkout", true, 201],
      ]);
      const after = (await shop.database.db.select({ id: orders.id }).from(orders)).length;
      expect(after).toBe(before + 1);
    });

    it("the flow fails at checkout, naming it, when payments fail", async () => {
      const put = await fetch(`${shop.url}/admin/faults/payment_failure`, {
        method: "PUT",
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ enabled: true, percentage: 100 }),
      });
      expect(put.status, await put.text()).toBeLessThan(300);
      try {
        const flow = probes().find((p) => p.name === "shop-checkout")!;
        const result = await checkProbe(flow, AbortSignal.timeout(flow.timeout), testContext());
        expect(result.ok).toBe(false);
        expect(result.message).toMatch(/^step checkout: expected status in \[201\], got 402/);
      } finally {
        await fetch(`${shop.url}/admin/faults`, {
          method: "DELETE",
          headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        });
      }
    });
  });
}

import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckoutResponse, Mailbox, ProductPage, SearchResult } from "../../core/shop-api.ts";
import { orderItems, orders, products } from "../../db/schema/shop.ts";
import { databaseKinds } from "../helpers/db.ts";
import {
  HOOKS_TOKEN,
  mailIds,
  readOtpCode,
  ShopClient,
  startTestShop,
  type TestShop,
} from "../helpers/shop.ts";

for (const kind of databaseKinds) {
  describe(`[${kind}] a shopper's journey`, () => {
    let t: TestShop;
    beforeAll(async () => {
      t = await startTestShop(kind);
    });
    afterAll(async () => t?.close());

    it("browses, searches, fills a cart, logs in with a mailed code, checks out", async () => {
      const client = new ShopClient(t.url);
      const email = "customer7@shop.test";

      const page = await client.get<ProductPage>("/api/products?page=2&pageSize=10&sort=price_asc");
      expect(page.status).toBe(200);
      expect(page.body.items).toHaveLength(10);
      expect(page.body.total).toBeGreaterThanOrEqual(1000);

      const found = await client.get<SearchResult>("/api/search?q=telescope");
      expect(found.status).toBe(200);
      expect(found.body.items.length).toBeGreaterThan(1);
      const [first, second] = [page.body.items[0]!, found.body.items[0]!];

      expect((await client.post("/api/cart/items", { productId: first.id, quantity: 2 })).status).toBe(201);
      expect((await client.post("/api/cart/items", { productId: second.id, quantity: 1 })).status).toBe(201);

      const seen = await mailIds(t.url, email);
      const requested = await client.post<{ challengeId: string }>("/api/auth/otp/request", { email });
      expect(requested.status).toBe(200);
      const code = await readOtpCode(t.url, email, seen);
      const verified = await client.post("/api/auth/otp/verify", {
        challengeId: requested.body.challengeId,
        code,
      });
      expect(verified.status).toBe(200);
      expect(verified.body).toEqual({ customer: { email } });

      const cart = await client.get<{ items: unknown[] }>("/api/cart");
      expect(cart.body.items).toHaveLength(2);

      const stockBefore = await stockOf(first.id);
      const checkout = await client.post<CheckoutResponse>("/api/checkout", {
        currency: "EUR",
        shipping: {
          name: "Ada",
          line1: "1 Orion Way",
          city: "Springfield",
          postalCode: "12345",
          country: "US",
        },
      });
      expect(checkout.status).toBe(201);
      expect(checkout.body).toMatchObject({ currency: "EUR", status: "paid" });

      const [order] = await t.database.db.select().from(orders).where(eq(orders.id, checkout.body.orderId));
      expect(order).toMatchObject({ status: "paid", currency: "EUR", totalCents: checkout.body.totalCents });
      const items = await t.database.db
        .select()
        .from(orderItems)
        .where(eq(orderItems.orderId, checkout.body.orderId));
      expect(items).toHaveLength(2);
      expect(await stockOf(first.id)).toBe(stockBefore - 2);
      expect((await client.get<{ items: unknown[] }>("/api/cart")).body.items).toHaveLength(0);

      await t.shop.outbox.idle();
      const mailbox = await fetch(`${t.url}/__test/mailbox?to=${email}`, {
        headers: { "x-test-hooks-token": HOOKS_TOKEN },
      });
      const { messages } = (await mailbox.json()) as Mailbox;
      expect(messages[0]!.subject).toBe(`Order confirmed: ${checkout.body.orderId}`);
    });

    async function stockOf(id: string): Promise<number> {
      const [row] = await t.database.db
        .select({ stock: products.stock })
        .from(products)
        .where(eq(products.id, id));
      return row!.stock;
    }
  });
}

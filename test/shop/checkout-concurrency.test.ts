import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProductPage } from "../../core/shop-api.ts";
import { orders, payments, products } from "../../db/schema/shop.ts";
import { databaseKinds } from "../helpers/db.ts";
import { loggedInClient, ShopClient, startTestShop, type TestShop } from "../helpers/shop.ts";

for (const kind of databaseKinds) {
  describe(`[${kind}] checkout under concurrency`, () => {
    let t: TestShop;
    let productIds: string[];
    beforeAll(async () => {
      t = await startTestShop(kind);
      const page = await new ShopClient(t.url).get<ProductPage>("/api/products?pageSize=5");
      productIds = page.body.items.map((p) => p.id);
    });
    afterAll(async () => t?.close());

    it("50 concurrent checkouts for the last 10 units sell exactly 10", async () => {
      const productId = productIds[0]!;
      await t.database.db.update(products).set({ stock: 10 }).where(eq(products.id, productId));
      const clients = await Promise.all(
        Array.from({ length: 50 }, (_, i) => loggedInClient(t, `customer${i + 1}@shop.test`)),
      );
      for (const client of clients) {
        expect((await client.post("/api/cart/items", { productId, quantity: 1 })).status).toBe(201);
      }
      const results = await Promise.all(clients.map((client) => client.post("/api/checkout")));
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 201)).toHaveLength(10);
      expect(statuses.filter((s) => s === 409)).toHaveLength(40);
      const [row] = await t.database.db
        .select({ stock: products.stock })
        .from(products)
        .where(eq(products.id, productId));
      expect(row!.stock).toBe(0);
      const [sold] = await t.database.db
        .select({ n: sql<number>`count(*)`.mapWith(Number) })
        .from(orders)
        .where(eq(orders.status, "paid"));
      expect(sold!.n).toBe(10);
    });

    it("a retried checkout with the same Idempotency-Key charges and orders once", async () => {
      const client = await loggedInClient(t, "customer60@shop.test");
      await client.post("/api/cart/items", { productId: productIds[1]!, quantity: 1 });
      const headers = { "idempotency-key": "retry-me-1" };
      const [a, b] = await Promise.all([
        client.request("POST", "/api/checkout", {}, headers),
        client.request("POST", "/api/checkout", {}, headers),
      ]);
      const later = await client.request<{ orderId: string }>("POST", "/api/checkout", {}, headers);
      const ok = [a, b, later].filter((r) => r.status === 201) as Array<{ body: { orderId: string } }>;
      // The concurrent twin either waits for the same answer or is told the first is in progress.
      for (const r of [a, b]) expect([201, 409]).toContain(r.status);
      expect(later.status).toBe(201);
      expect(new Set(ok.map((r) => r.body.orderId)).size).toBe(1);
      const orderId = later.body.orderId;
      const charges = await t.database.db.select().from(payments).where(eq(payments.orderId, orderId));
      expect(charges).toHaveLength(1);
      const [customerOrders] = await t.database.db
        .select({ n: sql<number>`count(*)`.mapWith(Number) })
        .from(orders)
        .where(eq(orders.idempotencyKey, "retry-me-1"));
      expect(customerOrders!.n).toBe(1);
    });

    it("a declined payment puts the stock back and keeps the cart", async () => {
      const productId = productIds[3]!;
      const client = await loggedInClient(t, "customer62@shop.test");
      await client.post("/api/cart/items", { productId, quantity: 2 });
      const stock = async () =>
        (
          await t.database.db
            .select({ stock: products.stock })
            .from(products)
            .where(eq(products.id, productId))
        )[0]!.stock;
      const before = await stock();
      t.shop.faults.set("payment_failure", { enabled: true, percentage: 100 });
      const declined = await client.post<{ code: string }>("/api/checkout");
      t.shop.faults.off("payment_failure");
      expect(declined.status).toBe(402);
      expect(declined.body.code).toBe("payment_failed");
      expect(await stock()).toBe(before);
      expect((await client.get<{ items: unknown[] }>("/api/cart")).body.items).toHaveLength(1);
      expect((await client.post("/api/checkout")).status).toBe(201);
      expect(await stock()).toBe(before - 2);
    });

    it("a checkout without the key is a new order each time", async () => {
      const client = await loggedInClient(t, "customer61@shop.test");
      await client.post("/api/cart/items", { productId: productIds[2]!, quantity: 1 });
      const first = await client.post<{ orderId: string }>("/api/checkout");
      await client.post("/api/cart/items", { productId: productIds[2]!, quantity: 1 });
      const second = await client.post<{ orderId: string }>("/api/checkout");
      expect([first.status, second.status]).toEqual([201, 201]);
      expect(first.body.orderId).not.toBe(second.body.orderId);
    });
  });
}

import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Cart, Product, ProductPage } from "../../core/shop-api.ts";
import { products } from "../../db/schema/shop.ts";
import { databaseKinds } from "../helpers/db.ts";
import { ShopClient, startTestShop, type TestShop } from "../helpers/shop.ts";

for (const kind of databaseKinds) {
  describe(`[${kind}] warehouse deliveries`, () => {
    let t: TestShop;
    let some: Product[];

    beforeAll(async () => {
      t = await startTestShop(kind, {
        env: { SHOP_RESTOCK_SECONDS: "1", SHOP_RESTOCK_BELOW: "50", SHOP_RESTOCK_TO: "250" },
      });
      some = (await new ShopClient(t.url).get<ProductPage>("/api/products?pageSize=20")).body.items;
    });
    afterAll(async () => t?.close());

    it("bring a sold-out product back, and its cached page says so; a product with enough stays as it is", async () => {
      const client = new ShopClient(t.url);
      const [soldOut, stocked] = [some[0]!, some[1]!];
      const { db } = t.database;
      await db.update(products).set({ stock: 0 }).where(eq(products.id, soldOut.id));
      await db.update(products).set({ stock: 120 }).where(eq(products.id, stocked.id));
      // Read while sold out (one delivery may land first on a slow machine: then it reads 250).
      const before = (await client.get<Product>(`/api/products/${soldOut.id}`)).body.stock;
      expect([0, 250]).toContain(before);
      // Within a few deliveries the page, cached for 30 s, shows the restocked figure.
      await expect
        .poll(async () => (await client.get<Product>(`/api/products/${soldOut.id}`)).body.stock, {
          timeout: 15_000,
          interval: 200,
        })
        .toBe(250);
      const [row] = await db
        .select({ stock: products.stock })
        .from(products)
        .where(eq(products.id, stocked.id));
      expect(row?.stock).toBe(120);
      const added = await client.post<Cart>("/api/cart/items", { productId: soldOut.id, quantity: 2 });
      expect(added.status).toBe(201);
      const metrics = await (await fetch(`${t.url}/metrics`)).text();
      expect(Number(/^shop_restocked_products_total (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
    });
  });
}

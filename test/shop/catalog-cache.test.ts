import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Cart, Product, ProductPage } from "../../core/shop-api.ts";
import { products } from "../../db/schema/shop.ts";
import { databaseKinds } from "../helpers/db.ts";
import { ADMIN_TOKEN, loggedInClient, ShopClient, startTestShop, type TestShop } from "../helpers/shop.ts";

for (const kind of databaseKinds) {
  describe(`[${kind}] catalog cache and statements per request`, () => {
    let t: TestShop;
    let some: Product[];
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

    beforeAll(async () => {
      t = await startTestShop(kind);
      some = (await new ShopClient(t.url).get<ProductPage>("/api/products?pageSize=20")).body.items;
      // Mail from earlier requests is written in the background: let it settle before counting.
      await t.shop.outbox.idle();
    });
    afterAll(async () => t?.close());

    /** The shop's statement counter as /metrics shows it. */
    async function statements(): Promise<number> {
      const text = await (await fetch(`${t.url}/metrics`)).text();
      const line = /^shop_db_queries_total (\d+)/m.exec(text);
      if (!line) throw new Error("shop_db_queries_total missing from /metrics");
      return Number(line[1]);
    }
    /** Statements the database saw while `work` ran (requests run one at a time). */
    async function counted(work: () => Promise<unknown>): Promise<number> {
      const before = await statements();
      await work();
      return (await statements()) - before;
    }

    it("a product page read twice reaches the database once", async () => {
      const client = new ShopClient(t.url);
      const id = some[10]!.id;
      expect(await counted(() => client.get(`/api/products/${id}`))).toBe(1);
      expect(await counted(() => client.get(`/api/products/${id}`))).toBe(0);
      expect(await counted(() => client.get("/api/search?q=telescope"))).toBe(1);
      expect(await counted(() => client.get("/api/search?q=telescope"))).toBe(0);
    });

    it("a logged-in shopper's catalog reads cost no statement once cached (the session is not looked up)", async () => {
      const shopper = await loggedInClient(t, "customer45@shop.test");
      await t.shop.outbox.idle();
      const id = some[11]!.id;
      await shopper.get(`/api/products/${id}`);
      await shopper.get("/api/search?q=telescope");
      expect(await counted(() => shopper.get(`/api/products/${id}`))).toBe(0);
      expect(await counted(() => shopper.get("/api/search?q=telescope"))).toBe(0);
      // Where the customer matters, the session still is read, once: the cart view costs the
      // session and the cart.
      expect(await counted(() => shopper.get("/api/cart"))).toBe(2);
      expect((await shopper.get<{ customer: { email: string } }>("/api/me")).body.customer.email).toBe(
        "customer45@shop.test",
      );
    });

    it("adding to a cart is one statement, the first add included, and answers with the cart after it", async () => {
      const shopper = new ShopClient(t.url);
      const first = await counted(async () => {
        expect((await shopper.post("/api/cart/items", { productId: some[0]!.id, quantity: 1 })).status).toBe(
          201,
        );
      });
      const again = await counted(async () => {
        expect((await shopper.post("/api/cart/items", { productId: some[0]!.id, quantity: 2 })).status).toBe(
          201,
        );
      });
      let answered: Cart | undefined;
      const other = await counted(async () => {
        answered = (await shopper.post<Cart>("/api/cart/items", { productId: some[1]!.id, quantity: 1 }))
          .body;
      });
      expect([first, again, other]).toEqual([1, 1, 1]);
      const cart = (await shopper.get<Cart>("/api/cart")).body;
      expect(Object.fromEntries(cart.items.map((i) => [i.productId, i.quantity]))).toEqual({
        [some[0]!.id]: 3,
        [some[1]!.id]: 1,
      });
      expect(answered).toEqual(cart);
      expect(await counted(() => shopper.get("/api/cart"))).toBe(1);
    });

    it("a refused add changes nothing: unknown product 404, over the stock 409", async () => {
      const shopper = new ShopClient(t.url);
      await shopper.post("/api/cart/items", { productId: some[2]!.id, quantity: 1 });
      const unknown = await shopper.post("/api/cart/items", {
        productId: "00000000-0000-4000-8000-000000000000",
        quantity: 1,
      });
      expect(unknown.status).toBe(404);
      await t.database.db.update(products).set({ stock: 3 }).where(eq(products.id, some[3]!.id));
      expect((await shopper.post("/api/cart/items", { productId: some[3]!.id, quantity: 3 })).status).toBe(
        201,
      );
      const over = await shopper.post<{ message: string }>("/api/cart/items", {
        productId: some[3]!.id,
        quantity: 1,
      });
      expect(over.status).toBe(409);
      expect(over.body.message).toMatch(/only 3 in stock/);
      const capped = await shopper.post<{ message: string }>("/api/cart/items", {
        productId: some[2]!.id,
        quantity: 99,
      });
      expect(capped.status).toBe(409);
      expect(capped.body.message).toMatch(/at most 99/);
      const cart = (await shopper.get<Cart>("/api/cart")).body;
      expect(Object.fromEntries(cart.items.map((i) => [i.productId, i.quantity]))).toEqual({
        [some[2]!.id]: 1,
        [some[3]!.id]: 3,
      });
    });

    it("a logged-in customer's first add creates their cart once, even when two race", async () => {
      const buyer = await loggedInClient(t, "customer42@shop.test");
      const replies = await Promise.all([
        buyer.post("/api/cart/items", { productId: some[4]!.id, quantity: 1 }),
        buyer.post("/api/cart/items", { productId: some[5]!.id, quantity: 1 }),
      ]);
      expect(replies.map((r) => r.status)).toEqual([201, 201]);
      const cart = (await buyer.get<Cart>("/api/cart")).body;
      expect(cart.items.map((i) => i.productId).sort()).toEqual([some[4]!.id, some[5]!.id].sort());
    });

    it("a checkout shows the new stock on the product page at once", async () => {
      const product = some[6]!;
      const before = (await new ShopClient(t.url).get<Product>(`/api/products/${product.id}`)).body.stock;
      const buyer = await loggedInClient(t, "customer43@shop.test");
      await buyer.post("/api/cart/items", { productId: product.id, quantity: 2 });
      expect((await buyer.post("/api/checkout")).status).toBe(201);
      const after = (await new ShopClient(t.url).get<Product>(`/api/products/${product.id}`)).body.stock;
      expect(after).toBe(before - 2);
    });

    it("a checkout costs the same few statements whatever the number of lines", async () => {
      const buyer = await loggedInClient(t, "customer44@shop.test");
      for (const p of some.slice(13, 16))
        await buyer.post("/api/cart/items", { productId: p.id, quantity: 1 });
      const used = await counted(async () => {
        expect((await buyer.post("/api/checkout")).status).toBe(201);
        await t.shop.outbox.idle();
      });
      // Session, cart lines with the card on file, stock + order + lines, charge + paid + emptied
      // cart, and the captured confirmation mail.
      expect(used).toBeLessThanOrEqual(5);
      expect((await buyer.get<Cart>("/api/cart")).body.items).toEqual([]);
    });

    it("cache_flush empties the cache at once and keeps it cold until turned off", async () => {
      const client = new ShopClient(t.url);
      const id = some[12]!.id;
      await client.get(`/api/products/${id}`);
      expect(await counted(() => client.get(`/api/products/${id}`))).toBe(0);
      const on = await client.request("PUT", "/admin/faults/cache_flush", {}, admin);
      expect(on.status).toBe(200);
      expect(await counted(() => client.get(`/api/products/${id}`))).toBe(1);
      expect(await counted(() => client.get(`/api/products/${id}`))).toBe(1);
      await client.request("DELETE", "/admin/faults/cache_flush", undefined, admin);
      expect(await counted(() => client.get(`/api/products/${id}`))).toBe(1);
      expect(await counted(() => client.get(`/api/products/${id}`))).toBe(0);
    });
  });
}

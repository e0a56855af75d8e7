import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Cart, Product, ProductPage, SearchResult } from "../../core/shop-api.ts";
import { products } from "../../db/schema/shop.ts";
import { databaseKinds } from "../helpers/db.ts";
import { loggedInClient, logIn, ShopClient, startTestShop, type TestShop } from "../helpers/shop.ts";

interface ErrorReply {
  code: string;
  message: string;
  requestId: string;
}

for (const kind of databaseKinds) {
  describe(`[${kind}] shop API`, () => {
    let t: TestShop;
    let some: Product[];
    beforeAll(async () => {
      t = await startTestShop(kind);
      some = (await new ShopClient(t.url).get<ProductPage>("/api/products?pageSize=10")).body.items;
    });
    afterAll(async () => t?.close());
    const client = () => new ShopClient(t.url);

    describe("catalog", () => {
      it("pages, filters by category and sorts", async () => {
        const { body: categories } = await client().get<{ categories: string[] }>("/api/categories");
        expect(categories.categories.length).toBeGreaterThanOrEqual(10);
        const category = categories.categories[0]!;
        const page = await client().get<ProductPage>(
          `/api/products?category=${category}&sort=price_desc&pageSize=50`,
        );
        expect(page.body.items.every((p) => p.category === category)).toBe(true);
        const prices = page.body.items.map((p) => p.priceCents);
        expect(prices).toEqual([...prices].sort((a, b) => b - a));
        const all = await client().get<ProductPage>("/api/products?page=3&pageSize=7");
        expect(all.body).toMatchObject({ page: 3, pageSize: 7, total: 1000 });
        const past = await client().get<ProductPage>("/api/products?page=9999&pageSize=100");
        expect(past.body).toMatchObject({ items: [], total: 1000 });
      });

      it("shows one product with price, currency, stock and image", async () => {
        const reply = await client().get<Product>(`/api/products/${some[0]!.id}`);
        expect(reply.body).toEqual(some[0]);
        expect(reply.body).toMatchObject({ currency: "USD", imageUrl: expect.stringMatching(/\.jpg$/) });
        expect((await client().get(`/api/products/${crypto.randomUUID()}`)).status).toBe(404);
      });

      it("ranks full-text search results, stemming words", async () => {
        const target = some[0]!;
        const word = target.name.split(" ")[2]!;
        const { body } = await client().get<SearchResult>(
          `/api/search?q=${encodeURIComponent(word)}&limit=50`,
        );
        expect(body.items.length).toBeGreaterThan(0);
        const ranks = body.items.map((p) => p.rank);
        expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
        expect(body.items.every((p) => p.rank > 0)).toBe(true);
        const plural = await client().get<SearchResult>("/api/search?q=telescopes");
        const singular = await client().get<SearchResult>("/api/search?q=telescope");
        expect(plural.body.items.length).toBeGreaterThan(0);
        expect(plural.body.items.map((p) => p.id)).toEqual(singular.body.items.map((p) => p.id));
        expect((await client().get<SearchResult>("/api/search?q=zzzxqj")).body.items).toEqual([]);
      });

      it("recommends other products from the same category", async () => {
        const { body } = await client().get<{ items: Product[] }>(
          `/api/recommendations?productId=${some[0]!.id}`,
        );
        expect(body.items).toHaveLength(4);
        for (const p of body.items) {
          expect(p.category).toBe(some[0]!.category);
          expect(p.id).not.toBe(some[0]!.id);
        }
      });
    });

    describe("cart", () => {
      it("adds, changes, removes and clears items, checking stock", async () => {
        const shopper = client();
        const [a, b] = [some[3]!, some[4]!];
        const added = await shopper.post<Cart>("/api/cart/items", { productId: a.id, quantity: 2 });
        expect(added.status).toBe(201);
        expect(shopper.cookies.has("shop_cart")).toBe(true);
        await shopper.post("/api/cart/items", { productId: a.id, quantity: 1 });
        await shopper.post("/api/cart/items", { productId: b.id, quantity: 1 });
        let cart = (await shopper.get<Cart>("/api/cart")).body;
        expect(cart.items.find((i) => i.productId === a.id)?.quantity).toBe(3);
        expect(cart.totalCents).toBe(a.priceCents * 3 + b.priceCents);
        cart = (await shopper.request<Cart>("PATCH", `/api/cart/items/${a.id}`, { quantity: 1 })).body;
        expect(cart.items.find((i) => i.productId === a.id)?.quantity).toBe(1);
        cart = (await shopper.request<Cart>("DELETE", `/api/cart/items/${b.id}`)).body;
        expect(cart.items.map((i) => i.productId)).toEqual([a.id]);
        expect((await shopper.request("DELETE", `/api/cart/items/${b.id}`)).status).toBe(404);
        cart = (await shopper.request<Cart>("DELETE", "/api/cart")).body;
        expect(cart.items).toEqual([]);
      });

      it("refuses more than the stock", async () => {
        const p = some[5]!;
        await t.database.db.update(products).set({ stock: 2 }).where(eq(products.id, p.id));
        const shopper = client();
        expect((await shopper.post("/api/cart/items", { productId: p.id, quantity: 2 })).status).toBe(201);
        const over = await shopper.post<ErrorReply>("/api/cart/items", { productId: p.id, quantity: 1 });
        expect(over.status).toBe(409);
        expect(over.body.message).toMatch(/only 2 in stock/);
        expect((await shopper.request("PATCH", `/api/cart/items/${p.id}`, { quantity: 3 })).status).toBe(409);
      });

      it("merges the anonymous cart into the customer's at login", async () => {
        const email = "customer90@shop.test";
        const earlier = await loggedInClient(t, email);
        await earlier.post("/api/cart/items", { productId: some[6]!.id, quantity: 1 });
        const shopper = client();
        await shopper.post("/api/cart/items", { productId: some[6]!.id, quantity: 2 });
        await shopper.post("/api/cart/items", { productId: some[7]!.id, quantity: 1 });
        await logIn(shopper, email);
        expect(shopper.cookies.has("shop_cart")).toBe(false);
        const cart = (await shopper.get<Cart>("/api/cart")).body;
        expect(Object.fromEntries(cart.items.map((i) => [i.productId, i.quantity]))).toEqual({
          [some[6]!.id]: 3,
          [some[7]!.id]: 1,
        });
      });
    });

    describe("bad input", () => {
      const expectError = (reply: { status: number; body: unknown }, status: number, message: RegExp) => {
        expect(reply.status).toBe(status);
        const body = reply.body as ErrorReply;
        expect(body.message).toMatch(message);
        expect(body.requestId).toMatch(/\S/);
        expect(JSON.stringify(body)).not.toMatch(/\bat .+\.ts:\d+|stack/);
      };

      it("answers 400 naming the field, for bodies, queries, params and headers", async () => {
        expectError(
          await client().post("/api/cart/items", { productId: "nope", quantity: 1 }),
          400,
          /^body\.productId: /,
        );
        expectError(
          await client().post("/api/cart/items", { productId: some[0]!.id, quantity: 0 }),
          400,
          /^body\.quantity: /,
        );
        expectError(await client().get("/api/products?pageSize=1000"), 400, /^query\.pageSize: /);
        expectError(await client().get("/api/products?sort=random"), 400, /^query\.sort: /);
        expectError(await client().get("/api/search"), 400, /^query\.q: /);
        expectError(await client().get("/api/products/42"), 400, /^params\.id: /);
        expectError(
          await client().post("/api/auth/otp/request", { email: "not-an-email" }),
          400,
          /^body\.email: /,
        );
        expectError(
          await client().post("/api/auth/otp/verify", { challengeId: crypto.randomUUID(), code: "12" }),
          400,
          /^body\.code: /,
        );
        const buyer = await loggedInClient(t, "customer91@shop.test");
        expectError(await buyer.post("/api/checkout", { currency: "XXX" }), 400, /^body\.currency: /);
        expectError(
          await buyer.request("POST", "/api/checkout", {}, { "idempotency-key": "k".repeat(500) }),
          400,
          /^headers\.idempotency-key: /,
        );
      });

      it("answers 400 for malformed JSON", async () => {
        const reply = await fetch(`${t.url}/api/cart/items`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: "{not json",
        });
        expectError({ status: reply.status, body: await reply.json() }, 400, /^body: not valid JSON/);
      });

      it("answers 413 for a body over the limit", async () => {
        const reply = await fetch(`${t.url}/api/auth/otp/request`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ email: "a@b.c", padding: "x".repeat(100_000) }),
        });
        expectError({ status: reply.status, body: await reply.json() }, 413, /larger than/);
      });

      it("answers unknown routes with a JSON 404", async () => {
        const reply = await client().get<ErrorReply>("/api/nowhere");
        expect(reply.status).toBe(404);
        expect(reply.body).toMatchObject({ code: "not_found" });
      });

      it("requires a login for checkout and /api/me", async () => {
        expect((await client().post("/api/checkout")).status).toBe(401);
        expect((await client().get("/api/me")).status).toBe(401);
      });

      it("hides the test hooks without their token", async () => {
        expect((await client().get("/__test/mailbox?to=a@b.c")).status).toBe(401);
      });
    });
  });
}

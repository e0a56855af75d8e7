import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FaultName, FaultState, FaultsResponse } from "../../core/faults.ts";
import type { Product, ProductPage } from "../../core/shop-api.ts";
import { databaseKinds } from "../helpers/db.ts";
import { ADMIN_TOKEN, loggedInClient, ShopClient, startTestShop, type TestShop } from "../helpers/shop.ts";

/** Added delays are this long; a request counts as delayed above DELAYED_MS (room for a loaded machine). */
const DELAY_MS = 1000;
const DELAYED_MS = 800;
const PAYMENT_TIMEOUT_MS = 300;

for (const kind of databaseKinds) {
  describe(`[${kind}] fault switches`, () => {
    let t: TestShop;
    let offset = 0;
    let productIds: string[] = [];
    let nextCustomer = 1;
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

    beforeAll(async () => {
      t = await startTestShop(kind, {
        clock: () => new Date(Date.now() + offset),
        env: { SHOP_PAYMENT_TIMEOUT_MS: String(PAYMENT_TIMEOUT_MS) },
      });
      productIds = (await new ShopClient(t.url).get<ProductPage>("/api/products?pageSize=5")).body.items.map(
        (p) => p.id,
      );
    });
    afterAll(async () => t?.close());

    const client = () => new ShopClient(t.url);
    const put = (name: string, body: unknown) =>
      client().request<FaultState>("PUT", `/admin/faults/${name}`, body, admin);
    const state = async (name: FaultName) =>
      (await client().request<FaultsResponse>("GET", "/admin/faults", undefined, admin)).body.faults[name];
    async function took(path: string): Promise<number> {
      const started = performance.now();
      await client().get(path);
      return performance.now() - started;
    }
    /** Catalog reads the cache let through to the database (cache off or cache_flush on). */
    async function bypassed(): Promise<number> {
      const counts = await t.shop.metrics.catalogCache.get();
      return counts.values.find((v) => v.labels.outcome === "bypass")?.value ?? 0;
    }
    async function checkoutStatus(): Promise<number> {
      const buyer = await loggedInClient(t, `customer${nextCustomer++}@shop.test`);
      await buyer.post("/api/cart/items", { productId: productIds[1]!, quantity: 1 });
      return (await buyer.post("/api/checkout")).status;
    }

    /** Each switch: parameters that turn it on, and whether its effect shows right now. */
    const switches: Record<FaultName, { params: Record<string, unknown>; effect: () => Promise<boolean> }> = {
      latency: {
        params: { fixedMs: DELAY_MS, routes: ["/api/products/:id"] },
        effect: async () => (await took(`/api/products/${productIds[0]}`)) > DELAYED_MS,
      },
      errors: {
        params: { rate: 1, status: 503, routes: ["/api/categories"] },
        effect: async () => {
          const reply = await client().get<{ code: string }>("/api/categories");
          return reply.status === 503 && reply.body.code === "injected_fault";
        },
      },
      payment_failure: { params: { percentage: 100 }, effect: async () => (await checkoutStatus()) === 402 },
      payment_unreachable: {
        params: {},
        effect: async () => {
          const started = performance.now();
          const status = await checkoutStatus();
          return status === 504 && performance.now() - started >= PAYMENT_TIMEOUT_MS;
        },
      },
      failing_product: {
        params: { productId: "" },
        effect: async () => (await client().get(`/api/products/${productIds[2]}`)).status === 500,
      },
      slow_db: {
        params: { delayMs: DELAY_MS },
        effect: async () => (await took("/api/categories")) > DELAYED_MS,
      },
      cpu_burn: {
        params: { msPerRequest: DELAY_MS },
        effect: async () => (await took("/api/categories")) > DELAYED_MS,
      },
      memory_leak: {
        params: { bytesPerRequest: 1_000_000 },
        effect: async () => {
          const before = t.shop.leak.bytes;
          await client().get("/api/categories");
          return t.shop.leak.bytes >= before + 1_000_000;
        },
      },
      readiness: { params: {}, effect: async () => (await client().get("/readyz")).status === 503 },
      cache_flush: {
        params: {},
        effect: async () => {
          const before = await bypassed();
          expect((await client().get(`/api/products/${productIds[3]}`)).status).toBe(200);
          return (await bypassed()) > before;
        },
      },
      // Sold out everywhere a shopper meets it: its page, the listing, and adding it to a cart.
      stock_out: {
        params: { productId: "" },
        effect: async () => {
          const id = productIds[4]!;
          const page = (await client().get<Product>(`/api/products/${id}`)).body;
          const listing = (await client().get<ProductPage>("/api/products?pageSize=5")).body.items;
          const buyer = await loggedInClient(t, `customer${nextCustomer++}@shop.test`);
          const added = await buyer.post<{ message: string }>("/api/cart/items", {
            productId: id,
            quantity: 1,
          });
          const shown = [
            page.stock === 0,
            listing.find((p) => p.id === id)?.stock === 0,
            added.status === 409,
          ];
          // All three or none: a half-sold-out product would be a bug of its own.
          expect(new Set(shown).size, JSON.stringify({ shown, added: added.body })).toBe(1);
          return shown[0]!;
        },
      },
    };
    const paramsOf = (name: FaultName) =>
      name === "failing_product"
        ? { ...switches[name].params, productId: productIds[2] }
        : name === "stock_out"
          ? { productId: productIds[4] }
          : switches[name].params;

    for (const name of Object.keys(switches) as FaultName[]) {
      it(`${name}: shows its effect and turns off through the API`, async () => {
        expect(await switches[name].effect()).toBe(false);
        const on = await put(name, paramsOf(name));
        expect(on.status).toBe(200);
        expect(on.body).toMatchObject({ enabled: true, expiresAt: null });
        expect(await switches[name].effect()).toBe(true);
        expect((await client().request("DELETE", `/admin/faults/${name}`, undefined, admin)).status).toBe(
          200,
        );
        expect((await state(name)).enabled).toBe(false);
        expect(await switches[name].effect()).toBe(false);
      });

      it(`${name}: turns itself off when it expires`, async () => {
        const on = await put(name, { ...paramsOf(name), expiresInSeconds: 30 });
        expect(on.body.expiresAt).not.toBeNull();
        expect(await switches[name].effect()).toBe(true);
        offset += 31_000;
        expect((await state(name)).enabled).toBe(false);
        expect(await switches[name].effect()).toBe(false);
      });
    }

    it("stock_out: a cart filled before the sell-out cannot check out (409, counted out_of_stock); the stored stock is untouched", async () => {
      const id = productIds[4]!;
      const buyer = await loggedInClient(t, `customer${nextCustomer++}@shop.test`);
      expect((await buyer.post("/api/cart/items", { productId: id, quantity: 1 })).status).toBe(201);
      const stock = (await client().get<Product>(`/api/products/${id}`)).body.stock;
      const outOfStock = async () =>
        (await t.shop.metrics.checkouts.get()).values.find((v) => v.labels.outcome === "out_of_stock")
          ?.value ?? 0;
      const before = await outOfStock();
      await put("stock_out", { productId: id });
      const refused = await buyer.post<{ message: string }>("/api/checkout");
      expect(refused.status).toBe(409);
      expect(refused.body.message).toMatch(/^not enough stock of .+ \(fault switch "stock_out"\)$/);
      expect(await outOfStock()).toBe(before + 1);
      await client().request("DELETE", "/admin/faults/stock_out", undefined, admin);
      expect((await client().get<Product>(`/api/products/${id}`)).body.stock).toBe(stock);
      expect((await buyer.post("/api/checkout")).status).toBe(201);
    });

    it("a switch scoped to routes leaves other routes alone", async () => {
      await put("errors", { rate: 1, status: 500, routes: ["/api/categories"] });
      expect((await client().get("/api/categories")).status).toBe(500);
      expect((await client().get("/api/products?pageSize=1")).status).toBe(200);
      await client().request("DELETE", "/admin/faults", undefined, admin);
      expect((await client().get("/api/categories")).status).toBe(200);
    });

    it("memory leaked while on is released when the switch turns off", async () => {
      await put("memory_leak", { bytesPerRequest: 2_000_000 });
      for (let i = 0; i < 3; i++) await client().get("/api/categories");
      expect(t.shop.leak.bytes).toBe(6_000_000);
      await client().request("DELETE", "/admin/faults/memory_leak", undefined, admin);
      expect(t.shop.leak.bytes).toBe(0);
    });

    it("what GET and PUT answer can be PUT back as it is, expiry included", async () => {
      for (const name of Object.keys(switches) as FaultName[]) {
        expect((await put(name, { ...paramsOf(name), expiresInSeconds: 600 })).status).toBe(200);
        const read = await state(name);
        await client().request("DELETE", `/admin/faults/${name}`, undefined, admin);
        const again = await put(name, read);
        expect(again.status, `${name}: ${JSON.stringify(again.body)}`).toBe(200);
        expect(await state(name)).toEqual(read);
        const echoed = await put(name, again.body);
        expect(echoed.status, `${name}: ${JSON.stringify(echoed.body)}`).toBe(200);
        expect(await state(name)).toEqual(read);
      }
      const off = await put("slow_db", { enabled: false, expiresAt: null, params: { delayMs: 5 } });
      expect(off.body).toMatchObject({ enabled: false });
      await client().request("DELETE", "/admin/faults", undefined, admin);
    });

    it("the read-back shape is as strict as the flat one, naming the field", async () => {
      const cases: [string, unknown, RegExp][] = [
        ["latency", { params: { fixedMs: 10 }, jitterMs: 5 }, /body\.jitterMs: .*go inside params/],
        [
          "latency",
          { params: { fixedMs: 10, rate: 1 } },
          /body\.params\.rate: is not a parameter of latency/,
        ],
        ["errors", { params: { rate: 2 } }, /body\.params\.rate/],
        ["errors", { name: "latency", params: {} }, /body\.name: must be "errors"/],
        ["slow_db", { params: {}, expiresAt: "tomorrow" }, /body\.expiresAt: must be an ISO time/],
        [
          "slow_db",
          { params: {}, expiresAt: new Date(Date.now() + offset - 1000).toISOString() },
          /body\.expiresAt: .* has passed/,
        ],
        [
          "slow_db",
          { params: {}, expiresAt: new Date(Date.now() + offset + 8 * 86_400_000).toISOString() },
          /body\.expiresAt: .*7 days/,
        ],
        [
          "slow_db",
          {
            params: {},
            expiresAt: new Date(Date.now() + offset + 60_000).toISOString(),
            expiresInSeconds: 60,
          },
          /body\.expiresAt: give expiresAt or expiresInSeconds, not both/,
        ],
        ["slow_db", { params: [] }, /body\.params: /],
        ["latency", { fixedMs: 10, bogus: true }, /body\.bogus: is not a field of latency/],
      ];
      for (const [name, body, message] of cases) {
        const reply = await put(name, body);
        expect(reply.status, JSON.stringify(body)).toBe(400);
        expect((reply.body as unknown as { message: string }).message).toMatch(message);
        expect((await state(name as FaultName)).enabled).toBe(false);
      }
    });

    it("needs the admin token and validates every field", async () => {
      expect((await client().get("/admin/faults")).status).toBe(401);
      expect(
        (await client().request("GET", "/admin/faults", undefined, { authorization: "Bearer wrong" })).status,
      ).toBe(401);
      const unknown = await put("meteor_strike", {});
      expect(unknown.status).toBe(400);
      expect(JSON.stringify(unknown.body)).toMatch(/params\.name/);
      const bad = await put("errors", { rate: 2 });
      expect(bad.status).toBe(400);
      expect(JSON.stringify(bad.body)).toMatch(/body\.rate/);
      const extra = await put("latency", { fixedMs: 10, bogus: true });
      expect(extra.status).toBe(400);
      const missing = await put("failing_product", {});
      expect(JSON.stringify(missing.body)).toMatch(/body\.productId/);
    });
  });
}

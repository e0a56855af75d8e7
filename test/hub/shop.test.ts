import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds } from "../helpers/db.ts";
import { startTestHub, type TestHub, type TestSession } from "../helpers/hub.ts";
import { ADMIN_TOKEN, startTestShop, type TestShop } from "../helpers/shop.ts";

for (const kind of databaseKinds) {
  describe(`[${kind}] hub and a real shop: fault proxy and scraper`, () => {
    let shop: TestShop;
    let t: TestHub;
    let ops: TestSession;
    let engineer: TestSession;
    beforeAll(async () => {
      shop = await startTestShop("pglite", { env: { SHOP_SEED_PRODUCTS: "20", SHOP_SEED_CUSTOMERS: "2" } });
      t = await startTestHub({
        kind,
        env: {
          PEAKWATCH_SHOP_URL: shop.url,
          SHOP_ADMIN_TOKEN: ADMIN_TOKEN,
          HUB_SCRAPE_TARGETS: `${shop.url}/metrics,http://127.0.0.1:9/metrics`,
        },
      });
      ops = await t.loginAs("ops");
      engineer = await t.loginAs("engineer");
    });
    afterAll(async () => {
      await t?.close();
      await shop?.close();
    });

    const call = async (method: string, path: string, headers: Record<string, string>, body?: unknown) => {
      const res = await fetch(`${t.url}/api/v1${path}`, {
        method,
        headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : null) as unknown };
    };

    it("ops flip the shop's fault switches through the hub; engineers only look", async () => {
      const set = await call("PUT", "/faults/latency", ops.headers, { fixedMs: 25, expiresInSeconds: 60 });
      expect(set.status).toBe(200);
      const state = await call("GET", "/faults", engineer.headers);
      expect(state.status).toBe(200);
      expect(JSON.stringify(state.body)).toMatch(/"latency"/);
      expect((await call("PUT", "/faults/latency", engineer.headers, {})).status).toBe(403);
      const bad = await call("PUT", "/faults/latency", ops.headers, { fixedMs: -5 });
      expect(bad.status).toBe(400);
      expect((await call("PUT", "/faults/nonsense", ops.headers, {})).status).toBe(400);
      expect((await call("DELETE", "/faults", ops.headers)).status).toBeLessThan(300);
    });

    it("scrapes the shop's /metrics into the kept series and marks a dead target down", async () => {
      await t.hub.scraper.scrapeAll();
      for (let i = 0; i < 20; i++) await (await fetch(`${shop.url}/api/products?page=1`)).text();
      await new Promise((r) => setTimeout(r, 300));
      await t.hub.scraper.scrapeAll();
      const targets = (await call("GET", "/scrape/targets", engineer.headers)).body as {
        targets: Array<{
          url: string;
          up: boolean;
          values: Record<string, number>;
          lastError: string | null;
        }>;
      };
      const live = targets.targets.find((x) => x.url.startsWith(shop.url))!;
      expect(live.up).toBe(true);
      expect(live.values.memory_rss_bytes).toBeGreaterThan(0);
      expect(live.values.request_rate).toBeGreaterThan(0);
      expect(live.values).toHaveProperty("in_flight");
      const dead = targets.targets.find((x) => x.url.includes(":9/"))!;
      expect(dead.up).toBe(false);
      expect(dead.lastError).toBeTruthy();
      const series = (
        await call("GET", "/scrape/series?series=memory_rss_bytes&resolution=60", engineer.headers)
      ).body as { targets: Record<string, Array<[number, number]>> };
      expect(series.targets[`${shop.url}/metrics`]!.length).toBeGreaterThan(0);
    });
  });
}

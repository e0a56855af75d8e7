import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds } from "../helpers/db.ts";
import { rawExchange } from "../helpers/raw-http.ts";
import { ShopClient, startTestShop, type TestShop } from "../helpers/shop.ts";

/** Issue 14: bad input to the shop gets a 4xx naming what is wrong, never a 500. */
for (const kind of databaseKinds) {
  describe(`[${kind}] shop hardening`, () => {
    let t: TestShop;
    let direct: TestShop;
    beforeAll(async () => {
      t = await startTestShop(kind, { env: { SHOP_SEED_PRODUCTS: "50", SHOP_SEED_CUSTOMERS: "5" } });
      // As `peakwatch up` now starts it: no proxy in front, so X-Forwarded-For means nothing.
      direct = await startTestShop(kind, {
        env: {
          SHOP_SEED_PRODUCTS: "10",
          SHOP_SEED_CUSTOMERS: "2",
          SHOP_TRUST_PROXY: "0",
          SHOP_RATE_OTP_REQUEST_PER_ADDRESS: "3",
        },
      });
    });
    afterAll(async () => {
      await t?.close();
      await direct?.close();
    });

    it("answers NUL in a query or path with 400 naming it, anonymously", async () => {
      for (const path of ["/api/search?q=%00", "/api/products?category=%00", "/api/products/%00"]) {
        const r = await fetch(`${t.url}${path}`);
        expect(r.status, path).toBe(400);
        expect(((await r.json()) as { message: string }).message, path).toMatch(/^(query\.\w+|path): .*NUL/);
      }
    });

    it("answers NUL or a lone surrogate in a JSON body with 400 naming the field", async () => {
      const client = new ShopClient(t.url);
      const nul = await client.post<{ message: string }>("/api/auth/otp/request", {
        email: "a\u0000@shop.test",
      });
      expect(nul.status).toBe(400);
      expect(nul.body.message).toMatch(/^body\.email: .*NUL/);
      const raw = await fetch(`${t.url}/api/cart/items`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"productId":"\\ud800","quantity":1}',
      });
      expect(raw.status).toBe(400);
      expect(((await raw.json()) as { message: string }).message).toMatch(/^body\.productId: .*surrogate/);
    });

    it("takes JSON only on JSON routes: a text/plain login request is refused (login CSRF)", async () => {
      const r = await fetch(`${t.url}/api/auth/otp/request`, {
        method: "POST",
        headers: { "content-type": "text/plain" },
        body: JSON.stringify({ email: "customer1@shop.test" }),
      });
      expect(r.status).toBe(415);
    });

    it("without a trusted proxy, a rotating X-Forwarded-For does not escape the address limit", async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const client = new ShopClient(direct.url, `203.0.113.${i + 1}`);
        statuses.push((await client.post("/api/auth/otp/request", { email: `x${i}@shop.test` })).status);
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
    });

    it("refuses a GET or HEAD body over the limit, or chunked, with 413 before reading it", async () => {
      const limit = t.config.SHOP_BODY_LIMIT_BYTES;
      const host = `Host: ${new URL(t.url).host}`;
      // Declares 1000 times the limit, sends 1 KiB of it, and waits: the answer comes and the
      // connection closes without the rest ever being sent.
      for (const method of ["GET", "HEAD"]) {
        const declared = await rawExchange(
          t.url,
          `${method} /api/categories HTTP/1.1\n${host}\nContent-Length: ${limit * 1000}`,
          "x".repeat(1024),
        );
        expect(declared, method).toMatchObject({ status: 413, closed: true });
        if (method === "GET") expect(declared.text).toContain(`body: larger than ${limit} bytes`);
      }
      const chunked = await rawExchange(
        t.url,
        `GET /api/categories HTTP/1.1\n${host}\nTransfer-Encoding: chunked`,
        `400\r\n${"x".repeat(1024)}\r\n`,
      );
      expect(chunked).toMatchObject({ status: 413, closed: true });
      expect(chunked.text).toContain(`at most ${limit} bytes`);
      const small = await rawExchange(
        t.url,
        `GET /api/categories HTTP/1.1\n${host}\nConnection: close\nContent-Length: 2`,
        "{}",
      );
      expect(small.status).toBe(200);
    });

    it("refuses a body over the limit with 413 while it streams in", async () => {
      const big = "x".repeat(t.config.SHOP_BODY_LIMIT_BYTES + 1);
      const r = await fetch(`${t.url}/api/auth/otp/request`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: big }),
      });
      expect(r.status).toBe(413);
    });
  });
}

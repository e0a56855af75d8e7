import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds } from "../helpers/db.ts";
import { ADMIN_TOKEN, logIn, ShopClient, startTestShop, type TestShop } from "../helpers/shop.ts";

interface Account {
  id: string;
  email: string;
  expiresAt: string | null;
  expired: boolean;
}

// Issue 15: a shop customer's access expires through the admin API; nothing is deleted.
for (const kind of databaseKinds) {
  describe(`[${kind}] shop customer accounts that expire`, () => {
    let t: TestShop;
    beforeAll(async () => {
      t = await startTestShop(kind, { env: { SHOP_SEED_PRODUCTS: "5", SHOP_SEED_CUSTOMERS: "3" } });
    }, 180_000);
    afterAll(async () => {
      await t?.close();
    });

    const admin = async (method: string, path: string, body?: unknown, token = ADMIN_TOKEN) => {
      const res = await fetch(`${t.url}/admin/customers${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const list = async (status: string) =>
      ((await admin("GET", `?status=${status}`)).body.customers as Account[]).map((a) => a.email);

    it("an expired customer's session is refused within 60 s, login is refused, and the account stays listed as expired", async () => {
      const email = "customer1@shop.test";
      const client = new ShopClient(t.url);
      await logIn(client, email);
      expect((await client.get("/api/me")).status).toBe(200);
      const account = ((await admin("GET", "?status=active")).body.customers as Account[]).find(
        (a) => a.email === email,
      )!;
      expect(account).toMatchObject({ expiresAt: null, expired: false });

      const expiresAt = new Date(Date.now() + 2000);
      const set = await admin("PATCH", `/${account.id}`, { expiresAt: expiresAt.toISOString() });
      expect(set.status).toBe(200);
      expect(set.body.customer).toMatchObject({ email, expiresAt: expiresAt.toISOString(), expired: false });

      // Still in before the instant; refused within 60 s after it (polled, bounded).
      let refusedAt: number | undefined;
      while (Date.now() < expiresAt.getTime() + 60_000) {
        if ((await client.get("/api/me")).status === 401) {
          refusedAt = Date.now();
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(refusedAt).toBeDefined();
      expect(refusedAt! - expiresAt.getTime()).toBeLessThan(60_000);
      // Login answers as for an unknown email (200) but mails no code, so it cannot complete.
      await expect(logIn(new ShopClient(t.url), email)).rejects.toThrow(/no OTP mail/);

      expect(await list("expired")).toEqual([email]);
      expect(await list("active")).not.toContain(email);
      expect(await list("all")).toContain(email);

      // Clearing the expiry gives the account back.
      const cleared = await admin("PATCH", `/${account.id}`, { expiresAt: null });
      expect(cleared.body.customer).toMatchObject({ email, expiresAt: null, expired: false });
      await logIn(new ShopClient(t.url), email);
    }, 120_000);

    it("bad input gets 400 naming the field, an unknown account 404, a missing token 401", async () => {
      const [first] = (await admin("GET", "")).body.customers as Account[];
      const year0 = await admin("PATCH", `/${first!.id}`, { expiresAt: "0000-01-01T00:00:00Z" });
      expect(year0.status).toBe(400);
      expect(JSON.stringify(year0.body)).toMatch(/body\.expiresAt/);
      const missing = await admin("PATCH", `/${first!.id}`, {});
      expect(missing.status).toBe(400);
      expect(JSON.stringify(missing.body)).toMatch(/body\.expiresAt/);
      expect((await admin("PATCH", "/not-a-uuid", { expiresAt: null })).status).toBe(400);
      expect((await admin("GET", "?status=gone")).status).toBe(400);
      expect(
        (await admin("PATCH", "/00000000-0000-4000-8000-000000000000", { expiresAt: null })).status,
      ).toBe(404);
      expect((await admin("GET", "", undefined, "wrong-token")).status).toBe(401);
    });
  });
}

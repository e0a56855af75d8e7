import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditPage } from "../../core/api/audit.ts";
import { databaseKinds } from "../helpers/db.ts";
import { startTestHub, type TestHub, type TestSession } from "../helpers/hub.ts";
import { ADMIN_TOKEN, startTestShop, type TestShop } from "../helpers/shop.ts";

// Issue 15: the audit log says who changed channels, silences and fault switches, and when.
for (const kind of databaseKinds) {
  describe(`[${kind}] changes to channels, silences and faults are audited`, () => {
    let shop: TestShop;
    let t: TestHub;
    let admin: TestSession;
    let engineer: TestSession;
    let ops: TestSession;
    beforeAll(async () => {
      shop = await startTestShop("pglite", { env: { SHOP_SEED_PRODUCTS: "5", SHOP_SEED_CUSTOMERS: "1" } });
      t = await startTestHub({ kind, env: { PEAKWATCH_SHOP_URL: shop.url, SHOP_ADMIN_TOKEN: ADMIN_TOKEN } });
      admin = await t.loginAs("admin");
      engineer = await t.loginAs("engineer");
      ops = await t.loginAs("ops");
    }, 180_000);
    afterAll(async () => {
      await t?.close();
      await shop?.close();
    });

    const call = async (who: TestSession, method: string, path: string, body?: unknown) => {
      const res = await fetch(`${t.url}/api/v1${path}`, {
        method,
        headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...who.headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : null) as Record<string, unknown> };
    };
    /** The entries newer than `afterId`, oldest first, as admins read them. */
    const auditSince = async (afterId: number) => {
      const page = (await call(admin, "GET", "/audit?limit=100")).body as unknown as AuditPage;
      return page.entries.filter((e) => e.id > afterId).reverse();
    };
    const lastId = async () =>
      ((await call(admin, "GET", "/audit?limit=1")).body as unknown as AuditPage).entries[0]?.id ?? 0;

    it("channel create, edit and delete are logged by name and kind, with no secret", async () => {
      const before = await lastId();
      const created = await call(admin, "POST", "/channels", {
        name: "audit-hook",
        kind: "webhook",
        url: "http://127.0.0.1:9/hook",
        headers: { authorization: "Bearer audit-secret-token" },
      });
      expect(created.status).toBe(201);
      const { id } = created.body.channel as { id: string };
      expect((await call(admin, "PUT", `/channels/${id}`, { enabled: false })).status).toBe(200);
      expect((await call(admin, "DELETE", `/channels/${id}`)).status).toBe(204);

      const entries = await auditSince(before);
      expect(entries.map((e) => [e.action, e.actor, e.target])).toEqual([
        ["channel.created", admin.email, `audit-hook (${id})`],
        ["channel.updated", admin.email, `audit-hook (${id})`],
        ["channel.deleted", admin.email, `audit-hook (${id})`],
      ]);
      expect(entries[0]!.detail).toEqual({ kind: "webhook", enabled: true });
      expect(entries[1]!.detail).toEqual({ fields: ["enabled"] });
      expect(JSON.stringify(entries)).not.toContain("audit-secret-token");
      expect(JSON.stringify(entries)).not.toContain("127.0.0.1:9");
    });

    it("silence create and expire are logged with who did it", async () => {
      const before = await lastId();
      const endsAt = Date.now() + 3_600_000;
      const created = await call(engineer, "POST", "/silences", {
        matchers: [{ name: "severity", value: "warning", isRegex: false }],
        endsAt,
        comment: "release window",
      });
      expect(created.status).toBe(201);
      const { id } = created.body.silence as { id: string };
      expect((await call(engineer, "DELETE", `/silences/${id}`)).status).toBe(200);

      const entries = await auditSince(before);
      expect(entries.map((e) => [e.action, e.actor, e.target])).toEqual([
        ["silence.created", engineer.email, id],
        ["silence.expired", engineer.email, id],
      ]);
      expect(entries[0]!.detail).toMatchObject({
        matchers: [{ name: "severity", op: "=", value: "warning" }],
        endsAt,
        comment: "release window",
      });
    });

    it("fault switches set and cleared through the hub are logged; refused ones are not", async () => {
      const before = await lastId();
      expect((await call(ops, "PUT", "/faults/payment_failure", { percentage: 30 })).status).toBe(200);
      expect((await call(ops, "PUT", "/faults/payment_failure", { percentage: 700 })).status).toBe(400);
      expect((await call(ops, "DELETE", "/faults/payment_failure")).status).toBe(200);
      expect((await call(ops, "DELETE", "/faults")).status).toBe(200);

      const entries = await auditSince(before);
      expect(entries.map((e) => [e.action, e.actor, e.target])).toEqual([
        ["fault.set", ops.email, "payment_failure"],
        ["fault.cleared", ops.email, "payment_failure"],
        ["fault.cleared", ops.email, "all"],
      ]);
      expect(JSON.stringify(entries[0]!.detail)).toContain("percentage=30");
    });

    it("only admins read the audit log", async () => {
      expect((await call(engineer, "GET", "/audit")).status).toBe(403);
      expect((await call(ops, "GET", "/audit")).status).toBe(403);
    });
  });
}

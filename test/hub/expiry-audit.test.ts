import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AgentTokenView, AuditPage } from "../../core/api/audit.ts";
import { databaseKinds } from "../helpers/db.ts";
import { startTestHub, type TestHub, type TestSession } from "../helpers/hub.ts";
import { makeWindow } from "./fixtures.ts";

function rowsOf<T>(result: unknown): T[] {
  return Array.isArray(result) ? (result as T[]) : (result as { rows: T[] }).rows;
}

const MINUTE = 60_000;

for (const kind of databaseKinds) {
  describe(`[${kind}] rights that expire, and the audit log`, () => {
    let t: TestHub;
    let admin: TestSession;
    // The hub's injected clock: tests move it forward instead of waiting.
    let offset = 0;
    const now = () => Date.now() + offset;

    beforeAll(async () => {
      t = await startTestHub({ kind, now });
      admin = await t.loginAs("admin");
    });
    afterAll(async () => {
      await t?.close();
    });

    const api = (
      path: string,
      init: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
    ) =>
      fetch(`${t.url}/api/v1${path}`, {
        method: init.method ?? "GET",
        headers: { "content-type": "application/json", ...init.headers },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
    const audit = async (query = "") =>
      (await (await api(`/audit${query}`, { headers: admin.headers })).json()) as AuditPage;
    const windowRows = async (runId: string) =>
      rowsOf<{ n: number }>(
        await t.database.db.execute(sql`select count(*)::int as n from hub.windows where run_id = ${runId}`),
      )[0]!.n;
    const ingest = (token: string, runId: string) =>
      api("/ingest/windows", {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
        body: {
          windows: [makeWindow({ runId, step: "browse", worker: "w1", second: Math.floor(now() / 1000) })],
        },
      });

    it("a user whose expiry passes while logged in gets 401 on the next request, logged once", async () => {
      const email = `leaving-${kind}@peakwatch.test`;
      const created = await api("/users", {
        method: "POST",
        headers: admin.headers,
        body: { email, role: "engineer", expiresAt: new Date(now() + 2 * MINUTE).toISOString() },
      });
      expect(created.status).toBe(201);
      const user = await t.login(email);
      expect((await api("/auth/me", { headers: user.headers })).status).toBe(200);
      expect((await api("/runs", { headers: user.headers })).status).toBe(200);

      offset += 2 * MINUTE + 1_000; // one second past the expiry
      const refused = await api("/runs", { headers: user.headers });
      expect(refused.status).toBe(401);
      // The session is gone, not merely refused once; a fresh login is refused too.
      expect((await api("/auth/me", { headers: user.headers })).status).toBe(401);
      await expect(t.login(email)).rejects.toThrow();

      const { entries } = await audit();
      const refusals = entries.filter((e) => e.action === "user.refused_expired" && e.target === email);
      expect(refusals).toHaveLength(1);
      expect(refusals[0]!.actor).toBe("hub");
      expect(entries.find((e) => e.action === "user.created" && e.target === email)).toMatchObject({
        actor: admin.email,
        detail: { role: "engineer" },
      });
      // Nothing silently deleted: the expired user is still listed for an admin to remove.
      const users = (await (await api("/users", { headers: admin.headers })).json()) as {
        users: Array<{ email: string }>;
      };
      expect(users.users.map((u) => u.email)).toContain(email);
    });

    it("an expired agent token's ingest gets 401 and stores nothing; the refusal is logged once", async () => {
      const created = await api("/agent-tokens", {
        method: "POST",
        headers: admin.headers,
        body: { name: `ci-${kind}`, expiresAt: new Date(now() + 5 * MINUTE).toISOString() },
      });
      expect(created.status).toBe(201);
      const { id, token, expiresAt } = (await created.json()) as {
        id: string;
        token: string;
        expiresAt: string;
      };
      expect(Date.parse(expiresAt)).toBeGreaterThan(now());

      const before = await ingest(token, "token-alive");
      expect(before.status).toBe(200);
      expect(await windowRows("token-alive")).toBe(1);

      offset += 5 * MINUTE + 1_000;
      for (let attempt = 0; attempt < 3; attempt++) {
        const res = await ingest(token, "token-expired");
        expect(res.status).toBe(401);
        expect(((await res.json()) as { message: string }).message).toContain("expired");
      }
      expect(await windowRows("token-expired")).toBe(0);

      const list = (await (await api("/agent-tokens", { headers: admin.headers })).json()) as {
        tokens: AgentTokenView[];
      };
      expect(list.tokens.find((x) => x.id === id)).toMatchObject({ expired: true, expiresAt });

      const { entries } = await audit();
      const refusals = entries.filter((e) => e.action === "agent_token.refused_expired");
      expect(refusals).toHaveLength(1);
      expect(refusals[0]!.target).toContain(id);
      expect(entries.find((e) => e.action === "agent_token.created")).toMatchObject({
        actor: admin.email,
        detail: { expiresAt },
      });

      // An hour later the same token is logged again, once.
      offset += 61 * MINUTE;
      expect((await ingest(token, "token-expired")).status).toBe(401);
      expect((await ingest(token, "token-expired")).status).toBe(401);
      expect((await audit()).entries.filter((e) => e.action === "agent_token.refused_expired")).toHaveLength(
        2,
      );

      const revoked = await api(`/agent-tokens/${id}`, { method: "DELETE", headers: admin.headers });
      expect(revoked.status).toBe(204);
      expect((await audit()).entries[0]).toMatchObject({ action: "agent_token.revoked", actor: admin.email });
    });

    it("a bad expiry is a 400 naming the field and stores nothing", async () => {
      const count = async () =>
        ((await (await api("/agent-tokens", { headers: admin.headers })).json()) as { tokens: unknown[] })
          .tokens.length;
      const tokensBefore = await count();
      const auditBefore = (await audit()).entries.length;
      for (const expiresAt of ["tomorrow", "10000-01-01T00:00:00Z", 5]) {
        const res = await api("/agent-tokens", {
          method: "POST",
          headers: admin.headers,
          body: { name: "bad", expiresAt },
        });
        expect(res.status).toBe(400);
        expect(((await res.json()) as { message: string }).message).toContain("expiresAt");
      }
      expect(await count()).toBe(tokensBefore);
      expect((await audit()).entries.length).toBe(auditBefore);
    });

    it("the only active admin cannot demote or expire themself; with a second admin either may be demoted", async () => {
      type Listed = { id: string; email: string; role: string; expired: boolean };
      const users = async () =>
        ((await (await api("/users", { headers: admin.headers })).json()) as { users: Listed[] }).users;
      const me = (await users()).find((u) => u.email === admin.email)!;
      const patch = (id: string, body: unknown) =>
        api(`/users/${id}`, { method: "PATCH", headers: admin.headers, body });
      // The hub's first admin (admin@peakwatch.test) is another admin: demoting it is allowed.
      const others = (await users()).filter((u) => u.role === "admin" && u.id !== me.id);
      expect(others.length).toBeGreaterThan(0);
      for (const other of others) expect((await patch(other.id, { role: "viewer" })).status).toBe(200);
      const auditBefore = (await audit()).entries.length;

      const demote = await patch(me.id, { role: "viewer" });
      expect(demote.status).toBe(409);
      expect(((await demote.json()) as { message: string }).message).toBe(
        `body.role: ${admin.email} is the only active admin; make another user admin first, or nobody could manage users`,
      );
      const expire = await patch(me.id, { expiresAt: new Date(now() - MINUTE).toISOString() });
      expect(expire.status).toBe(409);
      expect(((await expire.json()) as { message: string }).message).toMatch(
        /^body\.expiresAt: .* is the only active admin/,
      );
      expect((await users()).find((u) => u.id === me.id)).toMatchObject({ role: "admin", expired: false });
      expect((await audit()).entries.length).toBe(auditBefore);
      // The session survives the refusal (a refused PATCH ends no sessions).
      expect((await api("/users", { headers: admin.headers })).status).toBe(200);

      // With another admin again, the first may step down.
      for (const other of others) expect((await patch(other.id, { role: "admin" })).status).toBe(200);
      expect((await patch(me.id, { role: "ops" })).status).toBe(200);
      admin = await t.loginAs("admin");
    });

    it("role changes and deletions are logged; the log pages newest first and is admin only", async () => {
      const email = `changing-${kind}@peakwatch.test`;
      const created = await api("/users", {
        method: "POST",
        headers: admin.headers,
        body: { email, role: "viewer" },
      });
      const { id } = (await created.json()) as { id: string };
      const patched = await api(`/users/${id}`, {
        method: "PATCH",
        headers: admin.headers,
        body: { role: "ops" },
      });
      expect(patched.status).toBe(200);
      expect((await api(`/users/${id}`, { method: "DELETE", headers: admin.headers })).status).toBe(204);

      const { entries } = await audit();
      expect(entries.slice(0, 3).map((e) => [e.action, e.target])).toEqual([
        ["user.deleted", email],
        ["user.changed", email],
        ["user.created", email],
      ]);
      expect(entries[1]!.detail).toEqual({ role: { from: "viewer", to: "ops" } });

      // Pages: two at a time, following `next`, give the same entries as one read.
      const paged: number[] = [];
      let cursor: number | null = null;
      for (let page = 0; page < 50; page++) {
        const result: AuditPage = await audit(`?limit=2${cursor === null ? "" : `&before=${cursor}`}`);
        expect(result.entries.length).toBeLessThanOrEqual(2);
        paged.push(...result.entries.map((e) => e.id));
        cursor = result.next;
        if (cursor === null) break;
      }
      expect(paged).toEqual(entries.map((e) => e.id));

      expect((await api("/audit?limit=501", { headers: admin.headers })).status).toBe(400);
      expect((await api("/audit?before=x", { headers: admin.headers })).status).toBe(400);
      const ops = await t.loginAs("ops");
      expect((await api("/audit", { headers: ops.headers })).status).toBe(403);
      expect((await api("/audit")).status).toBe(401);
    });
  });
}

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { databaseKinds } from "../helpers/db.ts";
import { startTestHub, type TestHub } from "../helpers/hub.ts";
import { makeWindow } from "./fixtures.ts";
import { roleMatrixTests } from "./role-matrix.ts";

for (const kind of databaseKinds) {
  describe(`[${kind}] auth`, () => {
    let t: TestHub;
    beforeAll(async () => {
      t = await startTestHub({ kind });
    });
    afterAll(async () => {
      await t?.close();
    });

    const call = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) =>
      fetch(`${t.url}/api/v1${path}`, {
        method,
        headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    it("logs in by emailed code with an HttpOnly SameSite cookie and reports role and CSRF token", async () => {
      const requested = await call("POST", "/auth/otp/request", {}, { email: "Admin@Peakwatch.test" });
      expect(requested.status).toBe(200);
      const { challengeId } = (await requested.json()) as { challengeId: string };
      const code = t.mailbox.at(-1)!;
      expect(code.email).toBe("admin@peakwatch.test");
      expect(code.code).toMatch(/^\d{6}$/);
      const verified = await call("POST", "/auth/otp/verify", {}, { challengeId, code: code.code });
      expect(verified.status).toBe(200);
      expect(await verified.json()).toEqual({ user: { email: "admin@peakwatch.test", role: "admin" } });
      const setCookie = verified.headers.getSetCookie()[0]!;
      expect(setCookie).toMatch(/^pw_session=[A-Za-z0-9_-]{22};/);
      expect(setCookie).toMatch(/HttpOnly/);
      expect(setCookie).toMatch(/SameSite=Lax/);
      const cookie = setCookie.split(";")[0]!;
      const me = await call("GET", "/auth/me", { cookie });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({
        email: "admin@peakwatch.test",
        role: "admin",
        csrfToken: expect.any(String),
      });

      // Single use: the same code does not log in twice.
      expect((await call("POST", "/auth/otp/verify", {}, { challengeId, code: code.code })).status).toBe(401);
    });

    it("answers the same for an unknown email and mails nothing", async () => {
      const before = t.mailbox.length;
      const res = await call("POST", "/auth/otp/request", {}, { email: "nobody@peakwatch.test" });
      expect(res.status).toBe(200);
      expect(Object.keys((await res.json()) as object)).toEqual(["challengeId"]);
      expect(t.mailbox.length).toBe(before);
    });

    it("refuses a wrong code, and kills the challenge after five wrong tries", async () => {
      const { email } = await t.loginAs("viewer");
      const res = await call("POST", "/auth/otp/request", {}, { email });
      const { challengeId } = (await res.json()) as { challengeId: string };
      const right = t.mailbox.at(-1)!.code;
      const wrong = right === "000000" ? "111111" : "000000";
      for (let i = 0; i < 5; i++) {
        expect((await call("POST", "/auth/otp/verify", {}, { challengeId, code: wrong })).status).toBe(401);
      }
      expect((await call("POST", "/auth/otp/verify", {}, { challengeId, code: right })).status).toBe(401);
    });

    it("an expired user cannot log in", async () => {
      const email = "expired@peakwatch.test";
      await t.hub.users.create({ email, role: "ops", expiresAt: new Date(Date.now() - 60_000) });
      await expect(t.login(email)).rejects.toThrow(/401/);
    });

    it("a user whose expiry passes loses the session at once", async () => {
      const admin = await t.loginAs("admin");
      const ops = await t.loginAs("ops");
      expect((await call("GET", "/auth/me", ops.headers)).status).toBe(200);
      const list = (await (await call("GET", "/users", admin.headers)).json()) as {
        users: { id: string; email: string }[];
      };
      const id = list.users.find((u) => u.email === ops.email)!.id;
      const past = new Date(Date.now() - 1000).toISOString();
      expect((await call("PATCH", `/users/${id}`, admin.headers, { expiresAt: past })).status).toBe(200);
      expect((await call("GET", "/auth/me", ops.headers)).status).toBe(401);
      await expect(t.login(ops.email)).rejects.toThrow(/401/);
    });

    it("refuses a user or agent token created already expired, naming the field; an expired user is listed as expired", async () => {
      const admin = await t.loginAs("admin");
      const past = new Date(Date.now() - 86_400_000).toISOString();
      const usersBefore = await (await call("GET", "/users", admin.headers)).text();
      const user = await call("POST", "/users", admin.headers, {
        email: "too-late@peakwatch.test",
        role: "viewer",
        expiresAt: past,
      });
      expect(user.status).toBe(400);
      expect(((await user.json()) as { message: string }).message).toBe(
        `body.expiresAt: ${past} is in the past: a user created already expired could never be used`,
      );
      expect(await (await call("GET", "/users", admin.headers)).text()).toBe(usersBefore);
      const tokensBefore = await (await call("GET", "/agent-tokens", admin.headers)).text();
      const token = await call("POST", "/agent-tokens", admin.headers, { name: "too-late", expiresAt: past });
      expect(token.status).toBe(400);
      expect(((await token.json()) as { message: string }).message).toMatch(
        /^body\.expiresAt: .* is in the past/,
      );
      expect(await (await call("GET", "/agent-tokens", admin.headers)).text()).toBe(tokensBefore);
      // The hub names each run's own token run:<id>: a token of ours by that name would end with the run.
      const runLike = await call("POST", "/agent-tokens", admin.headers, { name: "run:nightly" });
      expect(runLike.status).toBe(400);
      expect(((await runLike.json()) as { message: string }).message).toBe(
        "body.name: names starting with run: are the hub's own run tokens",
      );
      expect(await (await call("GET", "/agent-tokens", admin.headers)).text()).toBe(tokensBefore);

      // A PATCH may set a past expiry (it ends a user's access now): the list marks the user expired.
      const created = await call("POST", "/users", admin.headers, {
        email: "leaving@peakwatch.test",
        role: "viewer",
      });
      const { id, expired } = (await created.json()) as { id: string; expired: boolean };
      expect(expired).toBe(false);
      expect((await call("PATCH", `/users/${id}`, admin.headers, { expiresAt: past })).status).toBe(200);
      const list = (await (await call("GET", "/users", admin.headers)).json()) as {
        users: Array<{ email: string; expired: boolean }>;
      };
      expect(list.users.find((u) => u.email === "leaving@peakwatch.test")?.expired).toBe(true);
      expect(list.users.find((u) => u.email === admin.email)?.expired).toBe(false);
    });

    it("logout ends the session", async () => {
      const s = await t.loginAs("viewer");
      expect((await call("POST", "/auth/logout", s.headers)).status).toBe(200);
      expect((await call("GET", "/auth/me", s.headers)).status).toBe(401);
    });

    it("a cookie-authenticated mutating request without the CSRF header is refused", async () => {
      const admin = await t.loginAs("admin");
      const res = await call(
        "POST",
        "/users",
        { cookie: admin.cookie },
        { email: "csrf@peakwatch.test", role: "viewer" },
      );
      expect(res.status).toBe(403);
      expect(((await res.json()) as { message: string }).message).toMatch(/csrf/i);
      const wrong = await call(
        "POST",
        "/users",
        { cookie: admin.cookie, "x-csrf-token": "guess" },
        { email: "csrf@peakwatch.test", role: "viewer" },
      );
      expect(wrong.status).toBe(403);
      const ok = await call("POST", "/users", admin.headers, {
        email: "csrf@peakwatch.test",
        role: "viewer",
      });
      expect(ok.status).toBe(201);
    });

    it("admins manage users: create, conflict, validate, change role, delete", async () => {
      const admin = await t.loginAs("admin");
      const created = await call("POST", "/users", admin.headers, {
        email: "New@Peakwatch.test",
        role: "engineer",
      });
      expect(created.status).toBe(201);
      const user = (await created.json()) as { id: string; email: string; role: string };
      expect(user).toMatchObject({ email: "new@peakwatch.test", role: "engineer", expiresAt: null });
      expect(
        (await call("POST", "/users", admin.headers, { email: "new@peakwatch.test", role: "viewer" })).status,
      ).toBe(409);
      const bad = await call("POST", "/users", admin.headers, { email: "x@peakwatch.test", role: "root" });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { message: string }).message).toMatch(/body\.role/);
      const patched = await call("PATCH", `/users/${user.id}`, admin.headers, { role: "ops" });
      expect(await patched.json()).toMatchObject({ role: "ops" });
      expect((await call("DELETE", `/users/${user.id}`, admin.headers)).status).toBe(204);
      expect((await call("DELETE", `/users/${user.id}`, admin.headers)).status).toBe(404);
    });

    it("an agent token created by an admin is shown once, works for ingest, and stops when deleted", async () => {
      const admin = await t.loginAs("admin");
      const created = await call("POST", "/agent-tokens", admin.headers, { name: "loadgen-ci" });
      expect(created.status).toBe(201);
      const { id, token } = (await created.json()) as { id: string; token: string };
      const listed = (await (await call("GET", "/agent-tokens", admin.headers)).json()) as {
        tokens: object[];
      };
      expect(JSON.stringify(listed)).not.toContain(token);
      expect(listed.tokens).toContainEqual(expect.objectContaining({ id, name: "loadgen-ci" }));
      const body = {
        windows: [
          makeWindow({
            runId: "token-run",
            step: "s",
            worker: "w",
            second: Math.floor(Date.now() / 1000) - 60,
          }),
        ],
      };
      const agent = { authorization: `Bearer ${token}` };
      expect((await call("POST", "/ingest/windows", agent, body)).status).toBe(200);
      expect((await call("DELETE", `/agent-tokens/${id}`, admin.headers)).status).toBe(204);
      expect((await call("POST", "/ingest/windows", agent, body)).status).toBe(401);
    });

    it("logout with a session cookie needs the CSRF token (finding 13)", async () => {
      const user = await t.loginAs("viewer");
      const forged = await call("POST", "/auth/logout", {
        cookie: user.cookie,
        "content-type": "application/json",
      });
      expect(forged.status).toBe(403);
      expect((await call("GET", "/auth/me", { cookie: user.cookie })).status).toBe(200);
      expect((await call("POST", "/auth/logout", user.headers)).status).toBe(200);
      expect((await call("GET", "/auth/me", { cookie: user.cookie })).status).toBe(401);
    });

    it("login routes take JSON only, and writes from a foreign Origin are refused (finding 13)", async () => {
      const asText = await fetch(`${t.url}/api/v1/auth/otp/request`, {
        method: "POST",
        headers: { "content-type": "text/plain" },
        body: JSON.stringify({ email: "admin@peakwatch.test" }),
      });
      expect(asText.status).toBe(415);
      expect(await asText.json()).toMatchObject({ message: expect.stringMatching(/^content-type: /) });
      const user = await t.loginAs("admin");
      const foreign = await call(
        "POST",
        "/agent-tokens",
        { ...user.headers, origin: "https://evil.example" },
        { name: "x" },
      );
      expect(foreign.status).toBe(403);
      expect(await foreign.json()).toMatchObject({ message: expect.stringMatching(/^origin: /) });
      const own = await call(
        "POST",
        "/agent-tokens",
        { ...user.headers, origin: t.url },
        { name: "own-origin" },
      );
      expect(own.status).toBe(201);
    });

    it("the live socket refuses pages of another origin, even with a valid session (finding 13)", async () => {
      const user = await t.loginAs("viewer");
      const open = (origin: string) =>
        new Promise<number>((resolve) => {
          const ws = new WebSocket(`${t.url.replace(/^http/, "ws")}/api/v1/live`, {
            headers: { cookie: user.cookie },
            origin,
          });
          ws.once("open", () => {
            ws.close();
            resolve(101);
          });
          ws.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
          ws.once("error", () => resolve(-1));
        });
      expect(await open("https://evil.example")).toBe(403);
      expect(await open(t.url)).toBe(101);
    });

    roleMatrixTests(() => t);
  });

  describe(`[${kind}] login limits (finding 9)`, () => {
    let t: TestHub;
    beforeAll(async () => {
      // Limits as shipped; X-Forwarded-For stands in for distinct client addresses.
      t = await startTestHub({
        kind,
        env: {
          HUB_TRUST_PROXY: "1",
          HUB_LOGIN_CODES_PER_ADDRESS: "30",
          HUB_LOGIN_CODES_PER_ACCOUNT: "5",
          HUB_LOGIN_FAILURES_PER_ADDRESS: "30",
        },
      });
    });
    afterAll(async () => {
      await t?.close();
    });
    const post = (path: string, address: string, body: unknown) =>
      fetch(`${t.url}/api/v1${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": address },
        body: JSON.stringify(body),
      });

    it("answers a real and an unknown email alike, request after request", async () => {
      const statuses = async (email: string, address: string) => {
        const out: number[] = [];
        for (let i = 0; i < 7; i++) out.push((await post("/auth/otp/request", address, { email })).status);
        return out;
      };
      const real = await statuses("admin@peakwatch.test", "198.51.100.1");
      const unknown = await statuses("nobody@peakwatch.test", "198.51.100.2");
      expect(real).toEqual(unknown);
      expect(real).toEqual([200, 200, 200, 200, 200, 429, 429]);
    });

    it("an attacker flooding the admin's account does not lock the admin out", async () => {
      const attacker = "203.0.113.66";
      for (let i = 0; i < 10; i++) {
        const r = await post("/auth/otp/request", attacker, { email: "admin@peakwatch.test" });
        if (r.status !== 200) break;
        const { challengeId } = (await r.json()) as { challengeId: string };
        for (let k = 0; k < 6; k++) await post("/auth/otp/verify", attacker, { challengeId, code: "000000" });
      }
      // The attacker's address is now refused; the admin, elsewhere, logs in as usual.
      const attackerAgain = await post("/auth/otp/request", attacker, { email: "admin@peakwatch.test" });
      expect(attackerAgain.status).toBe(429);
      const requested = await post("/auth/otp/request", "198.51.100.7", { email: "admin@peakwatch.test" });
      expect(requested.status).toBe(200);
      const { challengeId } = (await requested.json()) as { challengeId: string };
      const code = t.mailbox.findLast((m) => m.email === "admin@peakwatch.test")!.code;
      expect((await post("/auth/otp/verify", "198.51.100.7", { challengeId, code })).status).toBe(200);
    });

    it("too many wrong codes from one address are refused with 429 and Retry-After", async () => {
      const requested = await post("/auth/otp/request", "192.0.2.9", { email: "nobody-else@peakwatch.test" });
      const { challengeId } = (await requested.json()) as { challengeId: string };
      let last: Response | undefined;
      for (let i = 0; i < 31; i++)
        last = await post("/auth/otp/verify", "192.0.2.9", { challengeId, code: "123456" });
      expect(last?.status).toBe(429);
      expect(Number(last?.headers.get("retry-after"))).toBeGreaterThan(0);
    });
  });
}

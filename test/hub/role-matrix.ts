import { beforeAll, describe, expect, it } from "vitest";
import type { Role } from "../../server/auth/roles.ts";
import type { TestHub } from "../helpers/hub.ts";
import { connectLive } from "./live-client.ts";

type Caller = "anonymous" | Role | "agent";
const callers: Caller[] = ["anonymous", "viewer", "engineer", "ops", "admin", "agent"];

/**
 * Every route and who may call it. Allowed callers get a body that fails validation or a
 * missing id, so the matrix checks authorisation without changing anything.
 */
const routes: Array<{ method: string; path: string; body?: unknown; allowed: "agent" | Role }> = [
  { method: "POST", path: "/ingest/windows", body: {}, allowed: "agent" },
  { method: "POST", path: "/ingest/probe-results", body: {}, allowed: "agent" },
  { method: "POST", path: "/ingest/runs", body: {}, allowed: "agent" },
  { method: "GET", path: "/auth/me", allowed: "viewer" },
  { method: "GET", path: "/runs", allowed: "viewer" },
  { method: "GET", path: "/runs/missing", allowed: "viewer" },
  { method: "GET", path: "/runs/missing/series", allowed: "viewer" },
  { method: "GET", path: "/runs/compare?a=x&b=y", allowed: "viewer" },
  { method: "GET", path: "/profiles", allowed: "viewer" },
  { method: "GET", path: "/probes", allowed: "viewer" },
  { method: "GET", path: "/probes/missing/results", allowed: "viewer" },
  { method: "POST", path: "/runs", body: {}, allowed: "ops" },
  { method: "POST", path: "/runs/missing/stop", allowed: "ops" },
  { method: "GET", path: "/users", allowed: "admin" },
  { method: "POST", path: "/users", body: {}, allowed: "admin" },
  { method: "PATCH", path: "/users/00000000-0000-4000-8000-000000000000", body: {}, allowed: "admin" },
  { method: "DELETE", path: "/users/00000000-0000-4000-8000-000000000000", allowed: "admin" },
  { method: "GET", path: "/agent-tokens", allowed: "admin" },
  { method: "POST", path: "/agent-tokens", body: {}, allowed: "admin" },
  { method: "DELETE", path: "/agent-tokens/00000000-0000-4000-8000-000000000000", allowed: "admin" },
];

const rank: Record<Role, number> = { viewer: 0, engineer: 1, ops: 2, admin: 3 };

function expected(caller: Caller, allowed: "agent" | Role): "401" | "403" | "allowed" {
  if (caller === "anonymous") return "401";
  if (allowed === "agent") return caller === "agent" ? "allowed" : "403";
  if (caller === "agent") return "403";
  return rank[caller] >= rank[allowed] ? "allowed" : "403";
}

/** The route × role matrix, run on a hub another suite started. */
export function roleMatrixTests(getHub: () => TestHub): void {
  describe("route × role matrix", () => {
    let t: TestHub;
    const headers = {} as Record<Caller, Record<string, string>>;
    beforeAll(async () => {
      t = getHub();
      headers.anonymous = {};
      headers.agent = t.agentHeaders;
      for (const role of ["viewer", "engineer", "ops", "admin"] as const)
        headers[role] = (await t.loginAs(role)).headers;
    });
    it("every route answers each caller as its role allows", async () => {
      const mismatches: string[] = [];
      for (const route of routes) {
        for (const caller of callers) {
          const res = await fetch(`${t.url}/api/v1${route.path}`, {
            method: route.method,
            headers: { ...headers[caller], ...(route.body ? { "content-type": "application/json" } : {}) },
            body: route.body ? JSON.stringify(route.body) : undefined,
          });
          const want = expected(caller, route.allowed);
          const got = res.status === 401 ? "401" : res.status === 403 ? "403" : "allowed";
          if (got !== want)
            mismatches.push(`${route.method} ${route.path} as ${caller}: want ${want}, got ${res.status}`);
        }
      }
      expect(mismatches).toEqual([]);
    });

    it("no session gets 401; a viewer cannot start runs; an engineer cannot add users; an agent cannot read users", async () => {
      const post = (path: string, h: Record<string, string>, body: unknown) =>
        fetch(`${t.url}/api/v1${path}`, {
          method: "POST",
          headers: { ...h, "content-type": "application/json" },
          body: JSON.stringify(body),
        });
      expect((await fetch(`${t.url}/api/v1/runs`)).status).toBe(401);
      const run = { profile: "smoke", target: "http://127.0.0.1:4100" };
      expect((await post("/runs", headers.viewer, run)).status).toBe(403);
      expect(
        (await post("/users", headers.engineer, { email: "e@peakwatch.test", role: "viewer" })).status,
      ).toBe(403);
      expect((await fetch(`${t.url}/api/v1/users`, { headers: t.agentHeaders })).status).toBe(403);
    });

    it("an expired user cannot log in", async () => {
      await expect(t.loginAs("admin", { expiresAt: new Date(Date.now() - 1000) })).rejects.toThrow(/401/);
    });

    it("the live socket takes a session cookie and refuses a dead one", async () => {
      const viewer = await t.loginAs("viewer");
      const client = await connectLive(t.url, { cookie: viewer.cookie });
      client.ws.close();
      await fetch(`${t.url}/api/v1/auth/logout`, { method: "POST", headers: viewer.headers });
      await expect(connectLive(t.url, { cookie: viewer.cookie })).rejects.toThrow(/401/);
    });
  });
}

import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_PROJECT_ID } from "../../core/api/projects.ts";
import { databaseKinds } from "../helpers/db.ts";
import { type Harness, startAlerting } from "./harness.ts";

for (const kind of databaseKinds) {
  describe(`[${kind}] alerting API`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startAlerting(kind);
      await h.alerting.service.init();
    });
    afterAll(async () => {
      await h?.close();
    });
    const json = async (r: Response) => (await r.json()) as Record<string, unknown>;

    it("ships the default rules, checkout error rate among them", async () => {
      const { rules } = (await json(await h.request("GET", "/rules", "viewer"))) as {
        rules: Array<{ name: string; builtin: boolean }>;
      };
      expect(rules.map((r) => r.name)).toContain("CheckoutErrorRate");
      expect(rules.map((r) => r.name)).toContain("CheckoutErrorBudgetBurn");
      expect(rules.every((r) => r.builtin)).toBe(true);
    });

    it("lets engineers create, change and delete rules; viewers only read", async () => {
      const spec = {
        kind: "threshold",
        name: "SearchSlow",
        query: { source: "windows", stat: "p95", step: "search", windowSeconds: 30 },
        comparator: ">",
        threshold: 500,
        forSeconds: 10,
      };
      expect((await h.request("POST", "/rules", "viewer", spec)).status).toBe(403);
      const created = await h.request("POST", "/rules", "engineer", spec);
      expect(created.status).toBe(201);
      const { rule } = (await json(created)) as {
        rule: { id: string; severity: string; keepFiringForSeconds: number };
      };
      expect(rule).toMatchObject({ severity: "warning", keepFiringForSeconds: 0 });
      expect((await h.request("POST", "/rules", "engineer", spec)).status).toBe(409);
      const changed = await h.request("PUT", `/rules/${rule.id}`, "engineer", { ...spec, threshold: 700 });
      expect(((await json(changed)).rule as { threshold: number }).threshold).toBe(700);
      expect((await h.request("DELETE", `/rules/${rule.id}`, "engineer")).status).toBe(204);
      expect((await h.request("GET", `/rules/${rule.id}`, "viewer")).status).toBe(404);
    });

    it("answers a bad rule with a 400 naming the field, storing nothing", async () => {
      const r = await h.request("POST", "/rules", "engineer", {
        kind: "threshold",
        name: "Bad",
        query: { source: "windows", stat: "p97", windowSeconds: 30 },
        comparator: ">",
        threshold: 1,
      });
      expect(r.status).toBe(400);
      const body = await json(r);
      expect(body.code).toBe("bad_request");
      expect(body.message).toMatch(/^body\.query\.stat: /);
      const burn = await h.request("POST", "/rules", "engineer", {
        kind: "burn_rate",
        name: "Burn",
        objective: 0.99,
        windows: [{ longSeconds: 60, shortSeconds: 300, factor: 2 }],
      });
      expect((await json(burn)).message).toMatch(/^body\.windows\[0\]\.shortSeconds: /);
    });

    it("validates silences and expires them on DELETE", async () => {
      const bad = await h.request("POST", "/silences", "engineer", {
        matchers: [{ name: "alertname", op: "=~", value: "(" }],
        endsAt: Date.now() + 60_000,
        comment: "x",
      });
      expect((await json(bad)).message).toMatch(/^body\.matchers\[0\]\.value: /);
      const created = await h.request("POST", "/silences", "engineer", {
        matchers: [{ name: "severity", value: "warning", isRegex: false }],
        endsAt: Date.now() + 60_000,
        comment: "release window",
      });
      const { silence } = (await json(created)) as { silence: { id: string; matchers: unknown[] } };
      expect(silence.matchers).toEqual([{ name: "severity", op: "=", value: "warning" }]);
      const expired = await json(await h.request("DELETE", `/silences/${silence.id}`, "engineer"));
      expect((expired.silence as { state: string }).state).toBe("expired");
      const current = (await json(await h.request("GET", "/silences", "viewer"))).silences as unknown[];
      expect(current).toHaveLength(0);
    });

    it("keeps channel secrets encrypted and never returns them; admins only", async () => {
      const input = {
        name: "ops-hook",
        kind: "webhook",
        url: "http://127.0.0.1:9/hook",
        headers: { authorization: "Bearer very-secret-token" },
      };
      expect((await h.request("POST", "/channels", "engineer", input)).status).toBe(403);
      const created = await h.request("POST", "/channels", "admin", input);
      expect(created.status).toBe(201);
      const text = JSON.stringify(await json(await h.request("GET", "/channels", "admin")));
      expect(text).toContain("ops-hook");
      expect(text).toContain('"hasSecret":true');
      expect(text).not.toContain("very-secret-token");
      const rows = await h.database.db.execute(
        sql`select secret from alerting.channels where name = 'ops-hook'`,
      );
      const stored = JSON.stringify(rows);
      expect(stored).not.toContain("very-secret-token");
      const [row] = await h.alerting.service.channels.rows(DEFAULT_PROJECT_ID);
      expect(h.alerting.service.channels.reveal(row!)).toMatchObject({ headers: input.headers });
    });

    it("takes a routing tree and rejects a bad one with the field named", async () => {
      const bad = await h.request("PUT", "/routes", "admin", {
        route: { routes: [{ channel: "ops-hook", groupWaitSeconds: -1 }] },
      });
      expect((await json(bad)).message).toMatch(/^body\.route\.routes\[0\]\.groupWaitSeconds: /);
      const doc = {
        route: {
          routes: [
            { channel: "ops-hook", matchers: [{ name: "severity", value: "critical" }], groupWaitSeconds: 5 },
          ],
        },
      };
      expect((await h.request("PUT", "/routes", "admin", doc)).status).toBe(200);
      const got = await json(await h.request("GET", "/routes", "admin"));
      expect(got).toMatchObject({
        source: "api",
        route: { routes: [{ channel: "ops-hook", groupWaitSeconds: 5 }] },
      });
      // What GET answered can be PUT back as it is.
      expect((await h.request("PUT", "/routes", "admin", got)).status).toBe(200);
    });

    it("refuses a route to a channel the project does not have, or a key it does not know, and keeps the tree", async () => {
      const before = await json(await h.request("GET", "/routes", "admin"));
      const unknownChannel = await h.request("PUT", "/routes", "admin", {
        route: { routes: [{ channel: "ops-hook" }, { channel: "nonexistent-channel" }] },
      });
      expect(unknownChannel.status).toBe(400);
      expect((await json(unknownChannel)).message).toBe(
        'body.route.routes[1].channel: no channel named "nonexistent-channel" in this project (its channels: ops-hook)',
      );
      // Alertmanager's word for a channel: refused by name, not dropped (which saved a tree routing nowhere).
      const receiver = await h.request("PUT", "/routes", "admin", {
        route: { routes: [{ receiver: "ops-hook" }] },
      });
      expect(receiver.status).toBe(400);
      expect((await json(receiver)).message).toBe(
        "body.route.routes[0].receiver: unknown field; check its spelling",
      );
      const topLevel = await h.request("PUT", "/routes", "admin", { route: {}, receivers: [] });
      expect((await json(topLevel)).message).toBe("body.receivers: unknown field; check its spelling");
      expect(await json(await h.request("GET", "/routes", "admin"))).toEqual(before);
    });

    it("summarises for managers: firing now, SLOs (no data is not met), incidents over 24 h and 7 days", async () => {
      const summary = await json(await h.request("GET", "/summary", "viewer"));
      expect(summary).toMatchObject({
        firing: 0,
        incidents: { last24h: { count: 0, meanSecondsToResolve: null }, last7d: { count: 0 } },
        latestRun: null,
        firingAlerts: [],
      });
      expect(summary.slos).toEqual([
        { name: "CheckoutErrorBudgetBurn", objective: 0.99, current: null, status: "no data", ok: false },
      ]);
    });

    it("shows the latest short run while no run has lasted a minute, then the last longer one", async () => {
      const now = Date.now();
      const insertRun = (runId: string, startedAt: number, seconds: number) =>
        h.database.db.execute(
          sql`insert into hub.runs (run_id, profile, target, status, started_at, ended_at)
              values (${runId}, 'smoke', 'http://127.0.0.1:4100', 'passed', ${startedAt}, ${startedAt + seconds * 1000})`,
        );
      await insertRun("short-smoke", now - 60_000, 30);
      const first = await json(await h.request("GET", "/summary", "viewer"));
      expect(first.latestRun).toMatchObject({ runId: "short-smoke" });
      expect(first.latestRunChoice).toEqual({
        rule: "the latest run (none has run longer than one minute yet)",
      });
      await insertRun("long-smoke", now - 600_000, 120);
      const then = await json(await h.request("GET", "/summary", "viewer"));
      expect(then.latestRun).toMatchObject({ runId: "long-smoke" });
      expect(then.latestRunChoice).toEqual({ rule: "the last run longer than one minute" });
      await h.database.db.execute(sql`delete from hub.runs where run_id in ('short-smoke', 'long-smoke')`);
    });
  });
}

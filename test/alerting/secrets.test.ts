import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mailMessages } from "../../db/schema/shop.ts";
import { databaseKinds } from "../helpers/db.ts";
import { startTestShop } from "../helpers/shop.ts";
import { gaugeRule, type Harness, startAlerting } from "./harness.ts";

const json = async (r: Response) => (await r.json()) as Record<string, unknown>;
/** Rows of a raw query: PGlite answers {rows}, postgres-js an array. */
const rowsOf = <T>(result: unknown): T[] =>
  Array.isArray(result) ? (result as T[]) : ((result as { rows: T[] }).rows ?? []);
const SECRET = "s3cr3t-Token-9f1c";

for (const kind of databaseKinds) {
  describe(`[${kind}] channel secrets stay where they belong`, () => {
    let h: Harness;
    let echo: { url: string; server: Server };
    beforeAll(async () => {
      h = await startAlerting(kind, {
        rules: [gaugeRule("LeakCheck", "leak_gauge")],
        env: { PEAKWATCH_NOTIFY_MAX_ATTEMPTS: "1", PEAKWATCH_GROUP_WAIT_SECONDS: "0" },
      });
      await h.alerting.service.init();
      // A receiver that fails and quotes the request back, as many proxies do.
      const server = createServer((req, res) => {
        req.resume();
        req.on("end", () =>
          res.writeHead(500).end(`upstream failed for http://${req.headers.host}${req.url}`),
        );
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      echo = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
    }, 120_000);
    afterAll(async () => {
      await h?.close();
      await new Promise((resolve) => echo?.server.close(resolve));
    });

    it("refuses credentials in a channel URL with a 400 naming the field, and stores nothing", async () => {
      for (const kind of ["webhook", "alertmanager", "slack"]) {
        const r = await h.request("POST", "/channels", "admin", {
          name: `creds-${kind}`,
          kind,
          url: `http://user:${SECRET}@127.0.0.1:9/hook`,
        });
        expect(r.status, kind).toBe(400);
        const body = await json(r);
        expect(String(body.message)).toMatch(/url/);
        expect(String(body.message)).toMatch(/credentials/);
        expect(JSON.stringify(body)).not.toContain(SECRET);
      }
      const stored = await h.database.db.execute(sql`select count(*)::int as n from alerting.channels`);
      expect(rowsOf<{ n: number }>(stored)[0]!.n).toBe(0);
    });

    it("seals the whole URL: neither the API nor the database row shows its path or token", async () => {
      const url = `${echo.url}/T000/B000?token=${SECRET}`;
      const created = await h.request("POST", "/channels", "admin", { name: "hook", kind: "webhook", url });
      expect(created.status).toBe(201);
      const { channel } = (await json(created)) as { channel: Record<string, unknown> };
      expect(JSON.stringify(channel)).not.toContain(SECRET);
      expect(JSON.stringify(channel)).not.toContain("/T000");
      expect((channel.settings as Record<string, unknown>).urlHost).toBe(new URL(echo.url).origin);
      const listed = await h.request("GET", "/channels", "admin");
      expect(JSON.stringify(await json(listed))).not.toContain(SECRET);
      const rows = await h.database.db.execute(
        sql`select settings::text as s, secret from alerting.channels`,
      );
      const row = rowsOf<{ s: string; secret: string }>(rows)[0]!;
      expect(row.s).not.toContain(SECRET);
      expect(row.secret).not.toContain(SECRET);
      expect(row.secret).not.toContain("/T000");
    });

    it("redacts URLs and tokens from the errors of failed notifications in GET /deliveries", async () => {
      h.gauges.set("leak_gauge", 5);
      h.alerting.start();
      const deadline = Date.now() + 20_000;
      let rows: Array<{ lastError: string | null; status: string; kind: string }> = [];
      while (Date.now() < deadline) {
        const body = (await json(await h.request("GET", "/deliveries", "engineer"))) as {
          deliveries: typeof rows;
        };
        rows = body.deliveries.filter((d) => d.kind === "firing" && d.status === "failed");
        if (rows.length > 0) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(rows.length, "a failed firing delivery").toBeGreaterThan(0);
      expect(rows[0]!.lastError).toMatch(/HTTP 500/);
      expect(JSON.stringify(rows)).not.toContain(SECRET);
      expect(JSON.stringify(rows)).not.toContain("/T000");
    });

    it("redacts the error Send test shows and logs", async () => {
      const { channels } = (await json(await h.request("GET", "/channels", "admin"))) as {
        channels: Array<{ id: string; name: string }>;
      };
      const id = channels.find((c) => c.name === "hook")!.id;
      // The receiver answers 500 with a body quoting our request: the error would carry the token.
      const r = await h.request("POST", `/channels/${id}/test`, "admin");
      expect(r.status).toBe(200);
      const { result } = (await json(r)) as { result: { ok: boolean; error: string } };
      expect(result.ok).toBe(false);
      expect(result.error).toMatch(/HTTP 500/);
      const { deliveries } = (await json(await h.request("GET", "/deliveries", "engineer"))) as {
        deliveries: Array<{ lastError: string | null; kind: string }>;
      };
      const test = deliveries.find((d) => d.kind === "test");
      expect(test?.lastError).toMatch(/HTTP 500/);
      expect(JSON.stringify(deliveries)).not.toContain(SECRET);
      expect(JSON.stringify(result)).not.toContain(SECRET);
    });
  });

  describe(`[${kind}] the shop's capture mailbox`, () => {
    it("holds no login codes when test hooks are off", async () => {
      const shop = await startTestShop(kind, { env: { SHOP_TEST_HOOKS_TOKEN: "" } });
      try {
        const r = await fetch(`${shop.url}/api/auth/otp/request`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ email: "customer1@shop.test" }),
        });
        expect(r.status).toBe(200);
        await shop.shop.outbox.idle();
        const rows = await shop.database.db.select().from(mailMessages);
        expect(rows).toEqual([]);
      } finally {
        await shop.close();
      }
    }, 120_000);

    it("captures them when test hooks are on (what load runs and probes log in with)", async () => {
      const shop = await startTestShop(kind);
      try {
        await fetch(`${shop.url}/api/auth/otp/request`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ email: "customer1@shop.test" }),
        });
        await shop.shop.outbox.idle();
        const rows = await shop.database.db.select().from(mailMessages);
        expect(rows.length).toBe(1);
      } finally {
        await shop.close();
      }
    }, 120_000);
  });
}

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { FaultChange } from "../../core/faults.ts";
import { fetchVerdict } from "../../loadgen/outputs/verdict.ts";
import { databaseKinds } from "../helpers/db.ts";
import { startTestHub, type TestHub, type TestSession } from "../helpers/hub.ts";
import { ADMIN_TOKEN, startTestShop, type TestShop } from "../helpers/shop.ts";
import { makeRunReport } from "./fixtures.ts";

for (const kind of databaseKinds) {
  describe(`[${kind}] fault switches flipped by hand are recorded for chart markers`, () => {
    let shop: TestShop;
    let t: TestHub;
    let ops: TestSession;
    beforeAll(async () => {
      shop = await startTestShop("pglite", { env: { SHOP_SEED_PRODUCTS: "20", SHOP_SEED_CUSTOMERS: "2" } });
      t = await startTestHub({
        kind,
        env: { PEAKWATCH_SHOP_URL: shop.url, SHOP_ADMIN_TOKEN: ADMIN_TOKEN },
      });
      ops = await t.loginAs("ops");
    });
    afterAll(async () => {
      await t?.close();
      await shop?.close();
    });

    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${t.url}/api/v1${path}`, {
        method,
        headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...ops.headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : null) as Record<string, unknown> };
    };

    it("failing_product switches on with a product picked from the shop's catalog", async () => {
      const products = await call("GET", "/faults/products");
      expect(products.status).toBe(200);
      const list = products.body.products as Array<{ id: string; name: string }>;
      expect(list.length).toBe(20);
      const missing = await call("PUT", "/faults/failing_product", {});
      expect(missing.status).toBe(400);
      expect(JSON.stringify(missing.body)).toMatch(/body\.productId/);
      const on = await call("PUT", "/faults/failing_product", { productId: list[3]!.id, status: 503 });
      expect(on.status).toBe(200);
      expect((await fetch(`${shop.url}/api/products/${list[3]!.id}`)).status).toBe(503);
      expect((await fetch(`${shop.url}/api/products/${list[4]!.id}`)).status).toBe(200);
      expect((await call("DELETE", "/faults/failing_product")).status).toBe(200);
    });

    it("stores each change with who made it and pushes it on the runs topic", async () => {
      const ws = new WebSocket(`${t.url.replace("http", "ws")}/api/v1/live`, {
        headers: { cookie: ops.headers.cookie ?? "" },
      });
      const pushed: FaultChange[] = [];
      await new Promise<void>((resolve, reject) => {
        ws.once("open", () => resolve());
        ws.once("error", reject);
      });
      ws.on("message", (data) => {
        const message = JSON.parse(String(data)) as { type: string; change?: FaultChange };
        if (message.type === "fault" && message.change) pushed.push(message.change);
      });
      ws.send(JSON.stringify({ type: "subscribe", topics: ["runs"] }));
      await new Promise((r) => setTimeout(r, 200));

      const from = Date.now();
      expect((await call("PUT", "/faults/latency", { fixedMs: 40, probability: 0.5 })).status).toBe(200);
      expect((await call("PUT", "/faults/latency", { fixedMs: -1 })).status).toBe(400);
      expect((await call("DELETE", "/faults/latency")).status).toBe(200);
      const changes = (await call("GET", `/faults/changes?from=${from}`)).body.changes as FaultChange[];
      expect(changes.map((c) => [c.fault, c.action])).toEqual([
        ["latency", "set"],
        ["latency", "clear"],
      ]);
      expect(changes[0]!.detail).toContain("fixedMs=40");
      expect(changes[0]!.detail).toContain("probability=0.5");
      expect(changes[0]!.by).toMatch(/@/);
      expect(changes[0]!.at).toBeGreaterThanOrEqual(from);
      const deadline = Date.now() + 5000;
      while (pushed.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(pushed.map((c) => c.action)).toEqual(["set", "clear"]);
      ws.terminate();

      const bad = await call("GET", "/faults/changes?from=yesterday");
      expect(bad.status).toBe(400);
      expect(JSON.stringify(bad.body)).toMatch(/query\.from/);
    });

    it("names the switches on before a run started: each one's last change, a clear (or clear all) ends it", async () => {
      // Apart by a few ms so every change has its own `at` and `activeAt` can fall between them.
      const step = () => new Promise((r) => setTimeout(r, 5));
      const from = Date.now();
      expect((await call("PUT", "/faults/latency", { fixedMs: 150 })).status).toBe(200);
      await step();
      expect((await call("PUT", "/faults/slow_db", { delayMs: 20 })).status).toBe(200);
      await step();
      expect((await call("DELETE", "/faults/slow_db")).status).toBe(200);
      await step();
      expect((await call("PUT", "/faults/latency", { fixedMs: 80, probability: 0.5 })).status).toBe(200);
      await step();
      expect((await call("DELETE", "/faults")).status).toBe(200);
      await step();
      const changes = (await call("GET", `/faults/changes?from=${from}`)).body.changes as FaultChange[];
      expect(changes.map((c) => [c.fault, c.action])).toEqual([
        ["latency", "set"],
        ["slow_db", "set"],
        ["slow_db", "clear"],
        ["latency", "set"],
        ["all", "clear"],
      ]);
      const activeAt = async (at: number) => {
        const res = await call("GET", `/faults/changes?from=${from}&activeAt=${at}`);
        expect(res.status).toBe(200);
        return (res.body.active as FaultChange[]).map((c) => [c.fault, c.detail]);
      };
      const at = changes.map((c) => c.at);
      expect(await activeAt(at[0]!)).toEqual([]);
      expect(await activeAt(at[2]!)).toEqual([
        ["latency", "fixedMs=150, jitterMs=0, probability=1"],
        ["slow_db", "delayMs=20"],
      ]);
      expect(await activeAt(at[4]!)).toEqual([["latency", "fixedMs=80, jitterMs=0, probability=0.5"]]);
      expect(await activeAt(at[4]! + 1)).toEqual([]);
      // Without activeAt the answer stays as it was.
      expect((await call("GET", `/faults/changes?from=${from}`)).body.active).toBeUndefined();

      // A run started with latency on: its report.html says so beside the verdict.
      expect((await call("PUT", "/faults/latency", { fixedMs: 150 })).status).toBe(200);
      await step();
      const runId = `faults-at-start-${kind}`;
      const ingested = await fetch(`${t.url}/api/v1/ingest/runs`, {
        method: "POST",
        headers: { "content-type": "application/json", ...t.agentHeaders },
        body: JSON.stringify(makeRunReport(runId, { status: "passed" })),
      });
      expect(ingested.status).toBeLessThan(300);
      const report = await fetch(`${t.url}/api/v1/runs/${runId}/report.html`, { headers: ops.headers });
      expect(report.status).toBe(200);
      const line = (await report.text()).match(/<p data-faults-at-start>([^<]*)<\/p>/)?.[1];
      expect(line).toMatch(
        /^Faults on at start: latency on \(fixed 150 ms, jitter 0 ms, probability 100 %\) since \d\d:\d\d:\d\d UTC, by .+@/,
      );
      // The generator reads the same from the run's verdict (agent token) for summary.json, JUnit and the terminal.
      const verdict = await fetchVerdict({ url: t.url, token: t.agentToken }, runId);
      expect(verdict?.faultsAtStart?.map((c) => [c.fault, c.detail])).toEqual([
        ["latency", "fixedMs=150, jitterMs=0, probability=1"],
      ]);
      expect((await call("DELETE", "/faults")).status).toBe(200);

      // A switch that turns itself off at the shop is off from its expiry on, without a clear.
      expect((await call("PUT", "/faults/latency", { fixedMs: 150, expiresInSeconds: 60 })).status).toBe(200);
      const expiring = ((await call("GET", `/faults/changes?from=${from}`)).body.changes as FaultChange[]).at(
        -1,
      )!;
      expect(expiring.action).toBe("set");
      // The shop's expiresAt is whole seconds, so within a second of the set plus 60 s.
      expect(Math.abs(expiring.expiresAt! - (expiring.at + 60_000))).toBeLessThan(1500);
      const activeExpiring = async (at: number) =>
        ((await call("GET", `/faults/changes?from=${from}&activeAt=${at}`)).body.active as FaultChange[]).map(
          (c) => [c.fault, c.expiresAt],
        );
      expect(await activeExpiring(expiring.at + 1)).toEqual([["latency", expiring.expiresAt]]);
      expect(await activeExpiring(expiring.expiresAt! - 1)).toEqual([["latency", expiring.expiresAt]]);
      expect(await activeExpiring(expiring.expiresAt!)).toEqual([]);
      // A PUT of enabled: false switches it off: recorded as a clear, so nothing is on after it.
      expect((await call("PUT", "/faults/latency", { enabled: false })).status).toBe(200);
      const off = ((await call("GET", `/faults/changes?from=${from}`)).body.changes as FaultChange[]).at(-1)!;
      expect([off.fault, off.action, off.detail]).toEqual(["latency", "clear", null]);
      expect(await activeExpiring(off.at + 1)).toEqual([]);
      expect((await call("DELETE", "/faults")).status).toBe(200);

      const bad = await call("GET", "/faults/changes?activeAt=soon");
      expect(bad.status).toBe(400);
      expect(JSON.stringify(bad.body)).toMatch(/query\.activeAt/);
    });
  });
}

import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WindowSummary } from "../../core/window.ts";
import { advisoryLeadership } from "../../server/cluster/leader.ts";
import { applyRetention } from "../../server/retention/retention.ts";
import { databaseKinds } from "../helpers/db.ts";
import { startTestHub, type TestHub, type TestSession } from "../helpers/hub.ts";
import { lehmer, makeProbeResult, makeWindow } from "./fixtures.ts";

const BASE = 1_700_000_040; // a minute boundary
const MINUTES = 30;

function rowsOf<T>(result: unknown): T[] {
  return Array.isArray(result) ? (result as T[]) : (result as { rows: T[] }).rows;
}

for (const kind of databaseKinds) {
  describe(`[${kind}] retention`, () => {
    let t: TestHub;
    let viewer: TestSession;
    beforeAll(async () => {
      // The hub's clock runs just after the fixed run below, so its windows are recent to it.
      const shift = Date.now() - (BASE + MINUTES * 60 + 60) * 1000;
      t = await startTestHub({ kind, now: () => Date.now() - shift });
      viewer = await t.loginAs("viewer");
    });
    afterAll(async () => {
      await t?.close();
    });

    const post = (path: string, body: unknown) =>
      fetch(`${t.url}/api/v1${path}`, {
        method: "POST",
        headers: { ...t.agentHeaders, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const get = async (path: string) =>
      (await (await fetch(`${t.url}/api/v1${path}`, { headers: viewer.headers })).json()) as Record<
        string,
        unknown
      >;
    const count = async (table: string) =>
      rowsOf<{ n: number }>(
        await t.database.db.execute(sql.raw(`select count(*)::int as n from hub.${table}`)),
      )[0]!.n;

    it("rolls old windows into minutes without changing totals, percentiles or per-minute series", async () => {
      const random = lehmer(7);
      const windows = [];
      for (let s = 0; s < MINUTES * 60; s++) {
        for (const worker of ["w1", "w2"]) {
          const samples = Array.from({ length: 5 }, () => 1000 + Math.round(random() * 50_000));
          windows.push(makeWindow({ runId: "long-run", step: "browse", worker, second: BASE + s }, samples));
        }
      }
      for (let i = 0; i < windows.length; i += 2000) {
        expect((await post("/ingest/windows", { windows: windows.slice(i, i + 2000) })).status).toBe(200);
      }
      await post("/ingest/runs", {
        runId: "long-run",
        profile: "soak",
        target: "http://127.0.0.1:4100",
        status: "passed",
        startedAt: BASE * 1000,
      });
      const before = await get("/runs/long-run");
      const seriesBefore = await get("/runs/long-run/series?step=browse&stat=p95&resolution=60");
      const rateBefore = await get("/runs/long-run/series?step=browse&stat=rate&resolution=60");

      const now = (BASE + MINUTES * 60 + 3600 + 60) * 1000;
      const result = await applyRetention(t.database.db, { rawRetentionHours: 1, retentionDays: 90, now });
      expect(result.rolledUp).toBe(MINUTES * 60 * 2);
      expect(await count("windows")).toBe(0);
      expect(await count("window_minutes")).toBe(MINUTES);

      const after = await get("/runs/long-run");
      const b = (before.steps as Record<string, WindowSummary>).browse!;
      const a = (after.steps as Record<string, WindowSummary>).browse!;
      expect(a.count).toBe(b.count);
      expect(a.latency).toEqual(b.latency);
      expect(await get("/runs/long-run/series?step=browse&stat=p95&resolution=60")).toEqual(seriesBefore);
      expect(await get("/runs/long-run/series?step=browse&stat=rate&resolution=60")).toEqual(rateBefore);
    });

    it("merges a late window into its already rolled-up minute", async () => {
      await post("/ingest/windows", {
        windows: [
          makeWindow({ runId: "long-run", step: "browse", worker: "w3", second: BASE + 5 }, [1000, 1000]),
        ],
      });
      const before = ((await get("/runs/long-run")).steps as Record<string, WindowSummary>).browse!.count;
      const now = (BASE + MINUTES * 60 + 3600 + 60) * 1000;
      await applyRetention(t.database.db, { rawRetentionHours: 1, retentionDays: 90, now });
      expect(await count("window_minutes")).toBe(MINUTES);
      expect(((await get("/runs/long-run")).steps as Record<string, WindowSummary>).browse!.count).toBe(
        before,
      );
    });

    it("a window at second 0 costs one hour of roll-up, not every hour since 1970 (finding 2)", async () => {
      // Ingest now refuses it (400 on windows[0].second); a row stored before that still rolls up.
      const zero = makeWindow({ runId: "epoch-zero", step: "browse", worker: "w1", second: 0 }, [1000]);
      const refused = await post("/ingest/windows", { windows: [zero] });
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { message: string }).message).toMatch(/windows\[0\]\.second/);
      await t.database.db.execute(
        sql`insert into hub.windows (run_id, step, worker, second, count, err_connect, err_timeout, err_http4xx, err_http5xx, err_assertion, bytes, target_rate, achieved_rate, dropped, latency)
            values ('epoch-zero', 'browse', 'w1', 0, 1, 0, 0, 0, 0, 0, 100, 1, 1, 0, ${zero.latency})`,
      );
      const started = performance.now();
      // Walking every hour since 1970 was ~499k transactions (about 10 minutes); one hour is milliseconds.
      const result = await applyRetention(t.database.db, {
        rawRetentionHours: 48,
        retentionDays: 365_000,
        now: Date.now(),
      });
      expect(performance.now() - started).toBeLessThan(15_000);
      expect(result.rolledUp).toBeGreaterThanOrEqual(1);
      const minutes = rowsOf<{ n: number }>(
        await t.database.db.execute(
          sql`select count(*)::int as n from hub.window_minutes where run_id = 'epoch-zero' and minute = 0`,
        ),
      );
      expect(minutes[0]!.n).toBe(1);
    });

    it("deletes probe results past retention and keeps newer ones", async () => {
      const now = Date.now();
      await post("/ingest/probe-results", {
        results: [
          makeProbeResult({ probe: "old", startedAt: now - 10 * 86_400_000 }),
          makeProbeResult({ probe: "new", startedAt: now - 1000 }),
        ],
      });
      await applyRetention(t.database.db, { rawRetentionHours: 48, retentionDays: 7, now });
      const names = rowsOf<{ probe: string }>(
        await t.database.db.execute(sql`select probe from hub.probe_results`),
      );
      expect(names.map((r) => r.probe)).toEqual(["new"]);
    });

    if (kind === "postgres") {
      it("one replica at a time holds the advisory lock; it passes on when the holder goes", async () => {
        const url = t.database.url!;
        const first = advisoryLeadership(url, 99_001);
        const second = advisoryLeadership(url, 99_001);
        expect(await first.isLeader()).toBe(true);
        expect(await first.isLeader()).toBe(true);
        expect(await second.isLeader()).toBe(false);
        await first.close();
        expect(await second.isLeader()).toBe(true);
        await second.close();
      });
    }
  });
}

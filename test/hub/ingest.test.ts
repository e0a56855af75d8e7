import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_PROJECT_ID } from "../../core/api/projects.ts";
import { databaseKinds } from "../helpers/db.ts";
import { startTestHub, type TestHub } from "../helpers/hub.ts";
import { makeProbeResult, makeWindow } from "./fixtures.ts";

function rowsOf<T>(result: unknown): T[] {
  return Array.isArray(result) ? (result as T[]) : (result as { rows: T[] }).rows;
}

for (const kind of databaseKinds) {
  describe(`[${kind}] ingest`, () => {
    let t: TestHub;
    beforeAll(async () => {
      // The hub's clock runs at 2023-11-14 so the fixed window seconds below are recent to it.
      const shift = Date.now() - 1_700_000_100_000;
      t = await startTestHub({ kind, now: () => Date.now() - shift });
    });
    afterAll(async () => {
      await t?.close();
    });

    const post = (path: string, body: unknown, headers: Record<string, string> = t.agentHeaders) =>
      fetch(`${t.url}/api/v1${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });

    async function totals(runId: string) {
      const result = await t.database.db.execute(
        sql`select count(*)::int as rows, coalesce(sum(count), 0)::int as total from hub.windows where run_id = ${runId}`,
      );
      return rowsOf<{ rows: number; total: number }>(result)[0]!;
    }

    it("a replayed batch does not double the count", async () => {
      const windows = [0, 1, 2].map((i) =>
        makeWindow(
          { runId: "replay", step: "browse", worker: "w1", second: 1_700_000_000 + i },
          [1000, 2000],
        ),
      );
      for (let attempt = 0; attempt < 2; attempt++) {
        const res = await post("/ingest/windows", { windows });
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual({ stored: 3 });
      }
      expect(await totals("replay")).toEqual({ rows: 3, total: 6 });
    });

    it("a replayed window replaces its row with the newer figures", async () => {
      const key = { runId: "replace", step: "browse", worker: "w1", second: 1_700_000_000 };
      await post("/ingest/windows", { windows: [makeWindow(key, [1000])] });
      await post("/ingest/windows", { windows: [makeWindow(key, [1000, 1000, 1000, 1000])] });
      expect(await totals("replace")).toEqual({ rows: 1, total: 4 });
    });

    it("a batch with one bad window is rejected whole with a 400 naming its index and field", async () => {
      const good = makeWindow({ runId: "bad-batch", step: "browse", worker: "w1", second: 1_700_000_000 });
      const bad = { ...makeWindow({ ...good, second: 1_700_000_001 }), count: -1 };
      const res = await post("/ingest/windows", { windows: [good, bad, good] });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { code: string; message: string; requestId: string };
      expect(body.code).toBe("bad_request");
      expect(body.message).toMatch(/windows\[1\]\.count/);
      expect(body.requestId).toBeTruthy();
      expect(await totals("bad-batch")).toEqual({ rows: 0, total: 0 });
    });

    it("a window with a corrupt histogram is named by its field", async () => {
      const w = {
        ...makeWindow({ runId: "corrupt", step: "s", worker: "w", second: 1_700_000_000 }),
        latency: "bm90IGhkcg==",
      };
      const res = await post("/ingest/windows", { windows: [w] });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toMatch(/windows\[0\]\.latency/);
    });

    it("rejects unparsable JSON with a 400", async () => {
      const res = await post("/ingest/windows", "{not json");
      expect(res.status).toBe(400);
    });

    it("needs an agent token", async () => {
      const body = {
        windows: [makeWindow({ runId: "auth", step: "s", worker: "w", second: 1_700_000_000 })],
      };
      expect((await post("/ingest/windows", body, {})).status).toBe(401);
      expect((await post("/ingest/windows", body, { authorization: "Bearer nope" })).status).toBe(401);
      expect(await totals("auth")).toEqual({ rows: 0, total: 0 });
    });

    it("accepts a token an admin created and refuses it once deleted", async () => {
      const { id, token } = await t.hub.agents.create("probes-eu", "admin@test", null, DEFAULT_PROJECT_ID);
      const body = {
        windows: [makeWindow({ runId: "db-token", step: "s", worker: "w", second: 1_700_000_000 })],
      };
      expect((await post("/ingest/windows", body, { authorization: `Bearer ${token}` })).status).toBe(200);
      await t.hub.agents.delete(id, DEFAULT_PROJECT_ID);
      expect((await post("/ingest/windows", body, { authorization: `Bearer ${token}` })).status).toBe(401);
    });

    it("refuses a body past the size limit with 413", async () => {
      const res = await post("/ingest/windows", `{"windows":[${" ".repeat(17 * 1024 * 1024)}]}`);
      expect(res.status).toBe(413);
      expect(((await res.json()) as { code: string }).code).toBe("payload_too_large");
    });

    it("stores a replayed probe result once", async () => {
      const results = [makeProbeResult({ probe: "replayed" }), makeProbeResult({ probe: "replayed" })];
      for (let attempt = 0; attempt < 2; attempt++) {
        const res = await post("/ingest/probe-results", { results });
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual({ stored: 2 });
      }
      const rows = rowsOf<{ n: number }>(
        await t.database.db.execute(
          sql`select count(*)::int as n from hub.probe_results where probe = 'replayed'`,
        ),
      );
      expect(rows[0]!.n).toBe(2);
    });

    it("names the bad probe result", async () => {
      const res = await post("/ingest/probe-results", {
        results: [makeProbeResult(), { ...makeProbeResult(), state: "sideways" }],
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toMatch(/results\[1\]\.state/);
    });

    it("upserts a run report by runId", async () => {
      const report = {
        runId: "run-upsert",
        profile: "smoke",
        target: "http://127.0.0.1:4100",
        status: "running",
        startedAt: Date.now(),
      };
      expect((await post("/ingest/runs", report)).status).toBe(200);
      const res = await post("/ingest/runs", {
        ...report,
        status: "passed",
        endedAt: Date.now(),
        verdict: "ok",
      });
      expect(await res.json()).toEqual({ ok: true });
      const rows = rowsOf<{ status: string; n: number }>(
        await t.database.db.execute(
          sql`select status, count(*) over ()::int as n from hub.runs where run_id = 'run-upsert'`,
        ),
      );
      expect(rows).toEqual([{ status: "passed", n: 1 }]);
    });

    it("keeps a degraded run's worker losses and names a bad one", async () => {
      const loss = {
        worker: "w2",
        index: 2,
        workers: 3,
        stoppedAfterSeconds: 14,
        missingArrivals: 320,
        plannedArrivals: 1800,
        missingShare: 320 / 1800,
        reason: "exited on SIGKILL",
      };
      const report = {
        runId: "run-degraded",
        profile: "smoke",
        target: "http://127.0.0.1:4100",
        status: "degraded",
        startedAt: Date.now(),
        workers: 3,
        workerLosses: [loss],
      };
      expect((await post("/ingest/runs", report)).status).toBe(200);
      const rows = rowsOf<{ status: string; worker_losses: unknown }>(
        await t.database.db.execute(
          sql`select status, worker_losses from hub.runs where run_id = 'run-degraded'`,
        ),
      );
      expect(rows).toEqual([{ status: "degraded", worker_losses: [loss] }]);
      const bad = await post("/ingest/runs", { ...report, workerLosses: [{ ...loss, missingShare: 1.5 }] });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { message: string }).message).toMatch(/workerLosses\[0\]\.missingShare/);
    });
  });
}

describe("ingest when the database falls behind", () => {
  let t: TestHub;
  /** The hub's clock stands still while set: what it remembers (runs' and agents' projects) stays fresh. */
  let frozenAt: number | undefined;
  beforeAll(async () => {
    const shift = Date.now() - 1_700_000_100_000;
    t = await startTestHub({
      kind: "pglite",
      now: () => frozenAt ?? Date.now() - shift,
      env: { HUB_INGEST_MAX_QUEUED_WINDOWS: "150" },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  const post = (windows: unknown[]) =>
    fetch(`${t.url}/api/v1/ingest/windows`, {
      method: "POST",
      headers: { "content-type": "application/json", ...t.agentHeaders },
      body: JSON.stringify({ windows }),
    });
  const batchOf = (runId: string, from: number, n: number) =>
    Array.from({ length: n }, (_, i) =>
      makeWindow({ runId, step: "browse", worker: "w1", second: 1_700_000_000 + from + i }, [1000]),
    );

  it("answers 429 with Retry-After beyond HUB_INGEST_MAX_QUEUED_WINDOWS and stores nothing of the refused batches", async () => {
    const runIds = Array.from({ length: 20 }, (_, b) => `busy-${b}`);
    // Each run stored once and the clock stopped, so the batches below need no database read
    // before the writer (the hub remembers each run's project and the agent's).
    frozenAt = 1_700_000_100_000;
    for (const runId of runIds) expect((await post(batchOf(runId, 0, 1))).status).toBe(200);
    // The embedded database is one connection: a transaction held open stalls every statement,
    // as a database that falls behind would. Two statements start; at most 150 rows wait.
    let release!: () => void;
    let begun!: () => void;
    const started = new Promise<void>((r) => (begun = r));
    const held = t.database.db.transaction(async (tx) => {
      await tx.execute(sql`select 1`);
      begun();
      await new Promise<void>((r) => (release = r));
    });
    await started;
    type Answer = { status: number; retryAfter: string | null; body: { code?: string; message?: string } };
    const early: Answer[] = [];
    const answers = runIds.map((runId) =>
      post(batchOf(runId, 100, 100)).then(async (res) => {
        const answer: Answer = {
          status: res.status,
          retryAfter: res.headers.get("retry-after"),
          body: await res.json(),
        };
        early.push(answer);
        return answer;
      }),
    );
    // Two statements take a batch each and stall; one more batch (100 rows) may wait, a second
    // would pass 150: the other 17 are refused while the database is still stalled.
    for (let waited = 0; early.length < 17 && waited < 10_000; waited += 50)
      await new Promise((r) => setTimeout(r, 50));
    const answeredEarly = early.length;
    // /metrics still answers while the database stalls (its run figures wait 2 s for it, then
    // are the last read), and the waiting batch shows in the queue gauge (refreshed each second).
    let queued: number | undefined;
    let metricsMs = 0;
    for (let waited = 0; queued !== 100 && waited < 10_000; waited += 100) {
      await new Promise((r) => setTimeout(r, 100));
      const asked = performance.now();
      const text = await (await fetch(`${t.url}/metrics`, { signal: AbortSignal.timeout(8_000) })).text();
      metricsMs = Math.max(metricsMs, performance.now() - asked);
      queued = Number(/^peakwatch_hub_queue_depth\{queue="ingest_windows"\} (\S+)$/m.exec(text)?.[1]);
    }
    release();
    await held;
    const done = await Promise.all(answers);
    frozenAt = undefined;
    expect(answeredEarly).toBe(17);
    expect(queued).toBe(100);
    expect(metricsMs).toBeLessThan(6_000);
    expect(early.slice(0, answeredEarly).every((a) => a.status === 429)).toBe(true);
    expect(early[0]).toMatchObject({
      retryAfter: "1",
      body: { code: "rate_limited", message: expect.stringMatching(/busy.*retry/) },
    });
    const accepted = done.filter((a) => a.status === 200);
    expect(accepted).toHaveLength(3);
    const stored = rowsOf<{ run_id: string; n: number }>(
      await t.database.db.execute(
        sql`select run_id, count(*)::int as n from hub.windows where run_id like 'busy-%' and second >= 1700000100 group by run_id`,
      ),
    );
    // Each batch is stored whole or not at all, and exactly the accepted ones are.
    expect(stored.every((r) => r.n === 100)).toBe(true);
    expect(stored.length).toBe(accepted.length);
  });
});

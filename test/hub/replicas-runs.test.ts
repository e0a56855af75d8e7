import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { count, eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import type { AlertEvent } from "../../core/alert.ts";
import type { LiveWindowMessage, ServerMessage } from "../../core/live.ts";
import { componentDomains } from "../../db/domains.ts";
import { windows } from "../../db/schema/hub.ts";
import { startReceiver, type TestReceiver } from "../helpers/alerting.ts";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../helpers/db.ts";
import { type FailoverProxy, startFailoverProxy } from "../helpers/failover-proxy.ts";
import { ADMIN_TOKEN, HOOKS_TOKEN, startTestShop, type TestShop } from "../helpers/shop.ts";
import { alive, logInFromOutput, startPeakwatch, withoutStackSettings } from "../helpers/up.ts";
import { connectLive } from "./live-client.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const hasPostgres = databaseKinds.includes("postgres");
if (!hasPostgres) console.warn("hub replica runs test needs a shared Postgres: set TEST_DATABASE_URL");

interface RunBody {
  run: { runId: string; status: string; verdict?: string };
  steps: Record<string, { count: number }>;
}

/** Polls `check` every 200 ms until it returns a value; throws naming `what` after `timeoutMs`. */
async function until<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}

/** Two hub processes on one Postgres behind a TCP balancer, as replicas behind a Service. */
describe.skipIf(!hasPostgres)("hub replicas share runs and duties", () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => {});
  });

  it("a run started on A stops through B; when A is killed mid-run, B takes over alerting and the run, losing and doubling nothing", async () => {
    const database: TestDatabase = await createTestDatabase("postgres", componentDomains.hub);
    cleanup.push(() => database.close());
    const shop: TestShop = await startTestShop("pglite");
    cleanup.push(() => shop.close());
    const hook: TestReceiver = await startReceiver();
    cleanup.push(() => hook.close());
    const ports: number[] = [];
    const balancer: FailoverProxy = await startFailoverProxy(() => ports);
    cleanup.push(() => balancer.close());

    const shared = {
      ...withoutStackSettings,
      HUB_DATABASE_URL: database.url,
      PEAKWATCH_HOST: "127.0.0.1",
      PEAKWATCH_HUB_PORT: "0",
      PEAKWATCH_AGENT_TOKEN: `test_${randomBytes(16).toString("hex")}`,
      PEAKWATCH_MASTER_KEY: randomBytes(32).toString("base64"),
      PEAKWATCH_SHOP_URL: shop.url,
      SHOP_ADMIN_TOKEN: ADMIN_TOKEN,
      SHOP_TEST_HOOKS_TOKEN: HOOKS_TOKEN,
      // Generators report through the balancer, so they reach whichever replica is alive.
      HUB_WORKER_HUB_URL: balancer.url,
      HUB_WORKER_TIMEOUT_SECONDS: "5",
      HUB_SCRAPE_INTERVAL_SECONDS: "0",
      HUB_BACKUP_INTERVAL_HOURS: "0",
      PEAKWATCH_ALERT_EVAL_INTERVAL_MS: "500",
      PEAKWATCH_GROUP_WAIT_SECONDS: "0",
      PEAKWATCH_GROUP_INTERVAL_SECONDS: "1",
      // No reminders within the test: any second firing notice is a repeat.
      PEAKWATCH_REPEAT_INTERVAL_SECONDS: "3600",
    };
    const startReplica = async (name: string) => {
      const dataDir = mkdtempSync(join(tmpdir(), `pw-replica-${name}-`));
      const proc = startPeakwatch(["hub"], { ...shared, PEAKWATCH_DATA_DIR: dataDir });
      cleanup.push(async () => {
        if (proc.proc.exitCode === null && proc.proc.signalCode === null) {
          proc.proc.kill("SIGTERM");
          await Promise.race([proc.exited, sleep(15_000)]);
        }
        rmSync(dataDir, { recursive: true, force: true });
      });
      const [, url] = await proc.waitFor(/hub listening on (http:\/\/127\.0\.0\.1:\d+)/, 60_000);
      ports.push(Number(new URL(url!).port));
      return { proc, url: url!, dataDir };
    };
    // A first, so it holds every duty before B exists.
    const a = await startReplica("a");
    const b = await startReplica("b");
    const admin = await logInFromOutput(a.url, a.proc);
    // A dashboard on B: every run and alert below is started, evaluated or stored on A first.
    const watcher = await connectLive(b.url, admin.headers);
    cleanup.push(async () => watcher.ws.close());
    watcher.send({ type: "subscribe", topics: ["runs", "alerts"] });
    await watcher.waitFor(
      (m): m is Extract<ServerMessage, { type: "subscribed" }> => m.type === "subscribed",
    );
    const runStatusesSeen = (runId: string) =>
      watcher.messages.flatMap((m) => (m.type === "run" && m.run.runId === runId ? [m.run.status] : []));

    const call = async <T = Record<string, unknown>>(
      hub: { url: string },
      method: string,
      path: string,
      body?: unknown,
    ): Promise<{ status: number; body: T }> => {
      const res = await fetch(`${hub.url}/api/v1${path}`, {
        method,
        headers: { ...admin.headers, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
    };
    const runOn = async (hub: { url: string }, runId: string) =>
      (await call<RunBody>(hub, "GET", `/runs/${runId}`)).body;
    const leads = async (hub: { url: string }, duty: string) => {
      const text = await (await fetch(`${hub.url}/metrics`)).text();
      return text.includes(`peakwatch_hub_leader{duty="${duty}"} 1`);
    };

    // 1. Started on A, stopped through B: A's generator gets the signal and the run ends aborted.
    const first = await call<{ run: { runId: string } }>(a, "POST", "/runs", {
      profile: "smoke",
      target: shop.url,
      rateScale: 0.4,
    });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const firstId = first.body.run.runId;
    await until(
      async () => ((await runOn(b, firstId)).run.status === "running" ? true : undefined),
      30_000,
      "the first run to report",
    );
    const [worker] = (await call<{ workers: Array<{ pid: number }> }>(b, "GET", `/runs/${firstId}/workers`))
      .body.workers;
    expect(worker?.pid).toBeGreaterThan(0);
    const stopAsked = Date.now();
    const stopped = await call(b, "POST", `/runs/${firstId}/stop`);
    expect(stopped.status, JSON.stringify(stopped.body)).toBe(202);
    await until(
      async () => ((await runOn(b, firstId)).run.status === "aborted" ? true : undefined),
      20_000,
      "the run stopped through B to end",
    );
    const stopMs = Date.now() - stopAsked;
    await until(
      async () => (runStatusesSeen(firstId).includes("aborted") ? true : undefined),
      10_000,
      "B's live client to see the first run end",
    );
    expect(runStatusesSeen(firstId)).toContain("running");
    await until(async () => (alive(worker!.pid) ? undefined : true), 10_000, "A's generator to exit");
    expect((await call(b, "POST", `/runs/${firstId}/stop`)).status).toBe(409);
    console.log(`stop through B: run aborted ${stopMs} ms after the request`);

    // 2. A run and an alert live, both on A's watch; then A dies.
    await sleep(6_000); // the first run's windows leave the rule's 5 s window
    for (const [method, path, body] of [
      [
        "POST",
        "/rules",
        {
          kind: "threshold",
          name: "ReplicaRunLive",
          severity: "warning",
          query: { source: "windows", stat: "rate", step: "journey", windowSeconds: 5, minCount: 1 },
          comparator: ">",
          threshold: 0,
        },
      ],
      ["POST", "/channels", { name: "hook", kind: "webhook", url: hook.url }],
      [
        "PUT",
        "/routes",
        {
          route: {
            matchers: [{ name: "alertname", value: "ReplicaRunLive" }],
            routes: [{ channel: "hook" }],
          },
          inhibitRules: [],
        },
      ],
    ] as const) {
      const res = await call(b, method, path, body);
      expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
    }
    const second = await call<{ run: { runId: string } }>(a, "POST", "/runs", {
      profile: "smoke",
      target: shop.url,
      rateScale: 0.6,
    });
    expect(second.status).toBe(201);
    const runId = second.body.run.runId;
    watcher.send({ type: "subscribe", topics: [`run:${runId}`] });
    const statuses = () => hook.received.map((r) => (r.body as { status: string }).status);
    await until(
      async () => (statuses().includes("firing") ? true : undefined),
      30_000,
      "the alert's firing notice",
    );
    expect(await leads(a, "alerting")).toBe(true);
    expect(await leads(b, "alerting")).toBe(false);

    const killedAt = Date.now();
    a.proc.proc.kill("SIGKILL");
    await a.proc.exited;
    await until(async () => ((await leads(b, "alerting")) ? true : undefined), 15_000, "B to lead alerting");
    const takeoverMs = Date.now() - killedAt;
    await until(
      async () => ((await leads(b, "supervision")) ? true : undefined),
      15_000,
      "B to lead supervision",
    );
    await b.proc.waitFor(new RegExp(`run ${runId}: its hub replica was lost; adopted`), 15_000);
    const adoptedMs = Date.now() - killedAt;
    console.log(`A killed: B leads alerting after ${takeoverMs} ms, adopted the run after ${adoptedMs} ms`);
    expect(takeoverMs).toBeLessThan(10_000);

    // The generator outlived A and finishes through B.
    const ended = await until(
      async () => {
        const { run } = await runOn(b, runId);
        return run.status !== "running" && run.status !== "starting" ? run : undefined;
      },
      90_000,
      "the run to end",
    );
    expect(["passed", "failed"]).toContain(ended.status);
    await until(
      async () => (statuses().includes("resolved") ? true : undefined),
      30_000,
      "the resolved notice from B",
    );
    await sleep(3_000);
    expect(statuses(), "notices: one firing (from A), one resolved (from B)").toEqual(["firing", "resolved"]);

    // B's live client saw it all: the run from start to end, the alert fired on A and resolved on
    // B once each (no event repeated or skipped), and every second of the run's windows.
    const seenRun = runStatusesSeen(runId);
    expect(seenRun).toContain("running");
    expect(seenRun.at(-1)).toBe(ended.status);
    const alertEvents = watcher.messages
      .flatMap((m) => (m.type === "alert" ? [m.event] : []))
      .filter((e: AlertEvent) => e.alert.rule === "ReplicaRunLive");
    const seqs = alertEvents.map((e) => e.seq);
    expect(new Set(seqs).size, `alert events on B: ${JSON.stringify(seqs)}`).toBe(seqs.length);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(alertEvents.map((e) => e.kind).filter((k) => k !== "pending")).toEqual(["firing", "resolved"]);

    // Every window the generator had acknowledged is stored once; every request is counted once.
    const summary = JSON.parse(readFileSync(join(a.dataDir, "runs", runId, "summary.json"), "utf8")) as {
      steps: Record<string, { requests: number }>;
      hub: { sent: number; pending: number; discarded: number };
    };
    const [stored] = await database.db.select({ n: count() }).from(windows).where(eq(windows.runId, runId));
    const { steps } = await runOn(b, runId);
    const generator = Object.fromEntries(Object.entries(summary.steps).map(([s, v]) => [s, v.requests]));
    const hub = Object.fromEntries(Object.keys(summary.steps).map((s) => [s, steps[s]?.count ?? 0]));
    console.log(
      `windows: generator sent ${summary.hub.sent} (pending ${summary.hub.pending}, discarded ${summary.hub.discarded}), hub stored ${stored?.n}; requests per step: generator ${JSON.stringify(generator)}, hub ${JSON.stringify(hub)}`,
    );
    expect(summary.hub.pending + summary.hub.discarded).toBe(0);
    expect(stored?.n).toBe(summary.hub.sent);
    expect(hub).toEqual(generator);
    // The live path lost and doubled nothing across the failover either: the last message of each
    // second (a second is re-sent when more of its windows arrive) adds up to the stored counts.
    const lastOfSecond = new Map<number, LiveWindowMessage>();
    for (const m of watcher.messages)
      if (m.type === "window" && m.runId === runId) lastOfSecond.set(m.second, m);
    const live = Object.fromEntries(
      Object.keys(summary.steps).map((step) => [
        step,
        [...lastOfSecond.values()].reduce((n, m) => n + (m.steps[step]?.count ?? 0), 0),
      ]),
    );
    console.log(`live client on B: ${lastOfSecond.size} seconds, requests per step ${JSON.stringify(live)}`);
    expect(live).toEqual(generator);
  }, 240_000);
});

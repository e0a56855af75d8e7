import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { eventually, startReceiver, type TestReceiver, withEnv } from "../helpers/alerting.ts";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../helpers/db.ts";
import { startTestHub, type TestHub, type TestSession } from "../helpers/hub.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const hasPostgres = databaseKinds.includes("postgres");
const why =
  "replica test needs a shared Postgres: set TEST_DATABASE_URL (two hubs on one PGlite cannot share it)";
if (!hasPostgres) console.warn(why);

describe.skipIf(!hasPostgres)("two hub replicas on one Postgres", () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => {});
  });

  it("an acknowledgement on B stops A's reminders; when A dies, B takes over without re-sending", async () => {
    const database: TestDatabase = await createTestDatabase("postgres", ["hub", "alerting"]);
    cleanup.push(() => database.close());
    const hook: TestReceiver = await startReceiver();
    cleanup.push(() => hook.close());
    const env = {
      PEAKWATCH_MASTER_KEY: randomBytes(32).toString("base64"),
      PEAKWATCH_ALERT_EVAL_INTERVAL_MS: "200",
      PEAKWATCH_GROUP_WAIT_SECONDS: "0",
      PEAKWATCH_GROUP_INTERVAL_SECONDS: "1",
      // Reminders every second, so "A stopped reminding" is seen in seconds.
      PEAKWATCH_REPEAT_INTERVAL_SECONDS: "1",
    };
    const a: TestHub = await withEnv(env, () => startTestHub({ database }));
    let aAlive = true;
    cleanup.push(async () => {
      if (aAlive) await a.close();
    });
    // A evaluates first, so it holds the alerting lock before B exists.
    await sleep(1000);
    const b: TestHub = await withEnv(env, () => startTestHub({ database }));
    cleanup.push(() => b.close());

    const adminA: TestSession = await a.loginAs("admin");
    const adminB: TestSession = await b.login(adminA.email);
    const call = async (hub: TestHub, session: TestSession, method: string, path: string, body?: unknown) => {
      const r = await fetch(`${hub.url}/api/v1${path}`, {
        method,
        headers: { ...session.headers, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await r.text();
      expect(r.status, `${method} ${path}: ${text}`).toBeLessThan(300);
      return text ? (JSON.parse(text) as Record<string, unknown>) : {};
    };
    await call(a, adminA, "POST", "/rules", {
      kind: "threshold",
      name: "ReplicaProbeDown",
      severity: "critical",
      query: { source: "probes", stat: "success_ratio", windowSeconds: 3, minCount: 1 },
      comparator: "<",
      threshold: 0.5,
    });
    await call(a, adminA, "POST", "/channels", { name: "hook", kind: "webhook", url: hook.url });
    await call(a, adminA, "PUT", "/routes", {
      route: { matchers: [{ name: "alertname", value: "ReplicaProbeDown" }], routes: [{ channel: "hook" }] },
      inhibitRules: [],
    });

    // A probe that fails, reported every 300 ms to whichever hub is alive (bounded: 2 minutes).
    let ok = false;
    let stop = false;
    const report = (async () => {
      for (let i = 0; i < 400 && !stop; i++) {
        const hub = aAlive ? a : b;
        await fetch(`${hub.url}/api/v1/ingest/probe-results`, {
          method: "POST",
          headers: { ...hub.agentHeaders, "content-type": "application/json" },
          body: JSON.stringify({
            results: [
              {
                id: randomUUID(),
                probe: "catalog",
                kind: "http",
                region: "local",
                target: "http://127.0.0.1:9/",
                startedAt: Date.now() - 100,
                ok,
                state: ok ? "up" : "down",
                phases: { dns: 0, connect: 1, tls: 0, firstByte: 1, transfer: 1, total: 3 },
              },
            ],
          }),
        }).catch(() => {});
        await sleep(300);
      }
    })();
    cleanup.push(async () => {
      stop = true;
      await report;
    });
    const statuses = () => hook.received.map((r) => (r.body as { status: string }).status);

    // A leads: the first notice and at least one reminder.
    await eventually(
      () => (hook.received.length >= 2 ? true : undefined),
      15_000,
      "a notice and a reminder from A",
    );
    const fingerprint = (hook.received[0]!.body as { alerts: Array<{ fingerprint: string }> }).alerts[0]!
      .fingerprint;

    // Acknowledge through B, the follower.
    const acked = (await call(b, adminB, "POST", `/alerts/${fingerprint}/ack`)) as {
      alert: { acknowledgedBy: string };
    };
    expect(acked.alert.acknowledgedBy).toBe(adminA.email);
    await sleep(1500);
    const afterAck = hook.received.length;
    await sleep(3000);
    expect(hook.received.length, "A kept reminding after the acknowledgement on B").toBe(afterAck);
    const listedOnA = (await call(a, adminA, "GET", "/alerts?state=firing")) as {
      alerts: Array<{ acknowledgedBy: string | null }>;
    };
    expect(listedOnA.alerts[0]?.acknowledgedBy).toBe(adminA.email);

    // A dies; B takes the lock, reads the notification log and says nothing new while it fires.
    await a.close();
    aAlive = false;
    await sleep(5000);
    expect(hook.received.length, "B re-sent after taking over").toBe(afterAck);
    const listedOnB = (await call(b, adminB, "GET", "/alerts?state=firing")) as {
      alerts: Array<{ fingerprint: string; acknowledgedBy: string | null }>;
    };
    expect(listedOnB.alerts.find((x) => x.fingerprint === fingerprint)?.acknowledgedBy).toBe(adminA.email);

    // The probe recovers: B sends exactly one resolved notice.
    ok = true;
    await eventually(
      () => (statuses().at(-1) === "resolved" ? true : undefined),
      15_000,
      "the resolved notice from B",
    );
    await sleep(2000);
    expect(statuses().slice(afterAck)).toEqual(["resolved"]);
    expect(statuses().filter((s) => s === "resolved")).toHaveLength(1);
  }, 120_000);
});

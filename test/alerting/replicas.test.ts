import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { componentDomains } from "../../db/domains.ts";
import {
  eventually,
  type HubProcess,
  hubApi,
  postProbeResults,
  probeResult,
  startHubProcess,
  startReceiver,
} from "../helpers/alerting.ts";
import { createTestDatabase, databaseKinds } from "../helpers/db.ts";
import { makeWindow } from "../hub/fixtures.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const hasPostgres = databaseKinds.includes("postgres");
if (!hasPostgres)
  console.warn(
    "replica test needs a shared Postgres: set TEST_DATABASE_URL (two hubs cannot share one PGlite)",
  );

interface Notice {
  status: string;
  externalURL: string;
  groupLabels: { alertname: string };
  alerts: Array<{ fingerprint: string }>;
}
const ADMIN = "admin@replicas.test";
const CATALOG = "ReplicaCatalogDown";
const CART = "ReplicaCartDown";

describe.skipIf(!hasPostgres)("two hub processes on one Postgres", () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => {});
  });

  it("an acknowledgement on B stops A's reminders; A is killed: B takes over, re-sends only what A never delivered, and shows the same objectives", async () => {
    const database = await createTestDatabase("postgres", componentDomains.hub);
    cleanup.push(() => database.close());
    // While `hang` is set the receiver takes requests and never answers: A dies mid-delivery.
    let hang = false;
    const hook = await startReceiver(() => (hang ? "hang" : 200));
    cleanup.push(() => hook.close());
    const masterKey = randomBytes(32).toString("base64");
    const env = (name: string) => ({
      HUB_DATABASE_URL: database.url!,
      PEAKWATCH_ADMIN_EMAIL: ADMIN,
      PEAKWATCH_MASTER_KEY: masterKey,
      // Which replica sent a notice shows in its externalURL.
      PEAKWATCH_EXTERNAL_URL: `http://${name}.replicas.test/`,
      PEAKWATCH_ALERT_EVAL_INTERVAL_MS: "250",
      PEAKWATCH_GROUP_WAIT_SECONDS: "0",
      PEAKWATCH_GROUP_INTERVAL_SECONDS: "1",
      // Reminders every second, so "A stopped reminding" shows within seconds.
      PEAKWATCH_REPEAT_INTERVAL_SECONDS: "1",
      PEAKWATCH_NOTIFY_RESEND_GRACE_SECONDS: "2",
      PEAKWATCH_RUN_STALE_SECONDS: "600",
    });
    // Two real hub processes, started together; whichever takes the alerting lock is A.
    const started = await Promise.allSettled([startHubProcess(env("one")), startHubProcess(env("two"))]);
    for (const s of started) if (s.status === "fulfilled") cleanup.push(() => s.value.stop("SIGTERM"));
    const [one, two] = started.map((s) => {
      if (s.status === "rejected") throw s.reason;
      return s.value;
    }) as [HubProcess, HubProcess];
    const apiOne = hubApi(one.url, await one.login(ADMIN));

    for (const [name, probe] of [
      [CATALOG, "catalog"],
      [CART, "cart"],
    ] as const) {
      await apiOne("POST", "/rules", {
        kind: "threshold",
        name,
        severity: "critical",
        query: { source: "probes", stat: "success_ratio", probe, windowSeconds: 3, minCount: 1 },
        comparator: "<",
        threshold: 0.5,
        labels: { team: "replicas" },
      });
    }
    await apiOne("POST", "/channels", { name: "hook", kind: "webhook", url: hook.url });
    await apiOne("PUT", "/routes", {
      route: {
        routes: [
          // Cart notices are never repeated, so every cart notice seen is a notice or a re-send.
          { channel: "hook", matchers: [{ name: "alertname", value: CART }], repeatIntervalSeconds: 3600 },
          { channel: "hook", matchers: [{ name: "team", value: "replicas" }] },
        ],
      },
      inhibitRules: [],
    });
    // A live load run with a clean checkout, so the burn-rate objective has figures to show.
    const runStart = Date.now();
    await fetch(`${one.url}/api/v1/ingest/runs`, {
      method: "POST",
      headers: { ...one.agentHeaders, "content-type": "application/json" },
      body: JSON.stringify({
        runId: "replicas-run",
        profile: "baseline",
        target: "http://127.0.0.1:9/",
        status: "running",
        startedAt: runStart - 10_000,
      }),
    });
    const second = Math.floor(runStart / 1000);
    const windows = [1, 2, 3, 4, 5].map((back) =>
      makeWindow(
        { runId: "replicas-run", step: "checkout", worker: "w1", second: second - back },
        Array(20).fill(50_000),
      ),
    );
    const stored = await fetch(`${one.url}/api/v1/ingest/windows`, {
      method: "POST",
      headers: { ...one.agentHeaders, "content-type": "application/json" },
      body: JSON.stringify({ windows }),
    });
    expect(stored.status, await stored.text()).toBe(200);

    // Probe checks reported every 300 ms to every live hub (bounded: 3 minutes).
    const ok = { catalog: false, cart: true };
    const live = new Set<HubProcess>([one, two]);
    let stop = false;
    const reporting = (async () => {
      for (let i = 0; i < 600 && !stop; i++) {
        const results = [probeResult("catalog", ok.catalog), probeResult("cart", ok.cart)];
        for (const hub of live) await postProbeResults(hub, results).catch(() => {});
        await sleep(300);
      }
    })();
    cleanup.push(async () => {
      stop = true;
      await reporting;
    });
    const notices = () => hook.received.map((r) => r.body as Notice);
    const of = (name: string, from = 0) =>
      notices()
        .slice(from)
        .filter((n) => n.groupLabels.alertname === name);

    // The leader notifies, then reminds.
    await eventually(() => (of(CATALOG).length >= 2 ? true : undefined), 60_000, "a notice and a reminder");
    const leaderURL = of(CATALOG)[0]!.externalURL;
    const [a, b] = leaderURL === "http://one.replicas.test/" ? [one, two] : [two, one];
    expect(new Set(notices().map((n) => n.externalURL)), "only the leader notifies").toEqual(
      new Set([leaderURL]),
    );
    const apiA = a === one ? apiOne : hubApi(a.url, await a.login(ADMIN));
    const apiB = b === one ? apiOne : hubApi(b.url, await b.login(ADMIN));
    const fingerprint = of(CATALOG)[0]!.alerts[0]!.fingerprint;

    // Acknowledged through B, the follower: A stops reminding.
    const acked = await apiB<{ alert: { acknowledgedBy: string } }>("POST", `/alerts/${fingerprint}/ack`);
    expect(acked.alert.acknowledgedBy).toBe(ADMIN);
    // A applies it at its next evaluation (however late a loaded machine runs it)…
    for (let i = 0; i < 100; i++) {
      const onA = await apiA<{ alerts: Array<{ fingerprint: string; acknowledgedBy: string | null }> }>(
        "GET",
        "/alerts?state=firing",
      );
      if (onA.alerts.find((x) => x.fingerprint === fingerprint)?.acknowledgedBy === ADMIN) break;
      if (i === 99) throw new Error("A never applied the acknowledgement made on B");
      await sleep(200);
    }
    // …and a reminder already on its way may still land; after that, silence.
    await sleep(1000);
    const afterAck = hook.received.length;
    await sleep(3500);
    expect(hook.received.length, "A kept reminding after the acknowledgement on B").toBe(afterAck);
    const remindersBeforeAck = of(CATALOG).length - 1;

    // Both replicas' Summary shows the objective the leader measured (not "no data" on B).
    type Slo = { name: string; status: string; current: number | null };
    const slos = async (api: typeof apiA) =>
      (await api<{ slos: Slo[] }>("GET", "/summary")).slos.map((s) => [s.name, s.status, s.current]);
    let sloA = await slos(apiA);
    for (let i = 0; i < 60 && !sloA.some((s) => s[1] === "met"); i++) {
      await sleep(500);
      sloA = await slos(apiA);
    }
    const sloB = await slos(apiB);
    expect(sloA).toContainEqual(["CheckoutErrorBudgetBurn", "met", 1]);
    expect(sloB).toEqual(sloA);

    // A new cart notice; the receiver takes it and never answers; A is killed mid-delivery.
    hang = true;
    ok.cart = false;
    await eventually(() => hook.hung[0], 30_000, "A's cart notice");
    const key = hook.hung[0]!.headers["idempotency-key"];
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    hang = false;
    live.delete(a);
    const killedAt = Date.now();
    await a.stop("SIGKILL");

    // B takes the lock once A's connection drops and re-sends that one notice, nothing else.
    const resent = await eventually(() => hook.received[afterAck], 60_000, "B's re-send of the cart notice");
    const takeoverMs = resent.at - killedAt;
    expect((resent.body as Notice).groupLabels.alertname).toBe(CART);
    // A is gone, so B sent it: the very notice A decided, payload and key unchanged.
    expect(resent.body).toEqual(hook.hung[0]!.body);
    expect(resent.headers["idempotency-key"], "a re-send keeps its idempotency key").toBe(key);
    await sleep(4000);
    expect(
      notices()
        .slice(afterAck)
        .map((n) => n.groupLabels.alertname),
    ).toEqual([CART]);

    // Both recover: one resolved notice per group, from B.
    ok.catalog = true;
    ok.cart = true;
    await eventually(
      () => (of(CATALOG, afterAck).length + of(CART, afterAck).length >= 3 ? true : undefined),
      30_000,
      "the resolved notices from B",
    );
    await sleep(2000);
    expect(of(CATALOG, afterAck).map((n) => n.status)).toEqual(["resolved"]);
    expect(of(CART, afterAck).map((n) => n.status)).toEqual(["firing", "resolved"]);
    const urlB = `http://${b === one ? "one" : "two"}.replicas.test/`;
    expect(
      notices()
        .slice(afterAck + 1)
        .map((n) => n.externalURL),
    ).toEqual([urlB, urlB]);
    console.log(
      `replicas: ${remindersBeforeAck} reminder(s) from A before the acknowledgement on B, none in the 3.5 s after; ` +
        `B re-sent A's undelivered notice ${takeoverMs} ms after A was killed (grace 2 s); objectives on A and B: ${JSON.stringify(sloB)}`,
    );
  }, 300_000);
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_PROJECT_ID } from "../../core/api/projects.ts";
import type { Route } from "../../core/channel.ts";
import { eventually, startReceiver, type TestReceiver } from "../helpers/alerting.ts";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../helpers/db.ts";
import { gaugeRule, type Harness, startAlerting } from "./harness.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A leaf route to `channel` with quick timings (seconds). */
function leaf(channel: string, timing: { wait?: number; interval?: number; repeat?: number } = {}): Route {
  return {
    channel,
    matchers: [],
    continue: true,
    routes: [],
    groupWaitSeconds: timing.wait ?? 0,
    groupIntervalSeconds: timing.interval ?? 0.5,
    repeatIntervalSeconds: timing.repeat ?? 3600,
  };
}

async function wire(h: Harness, hooks: Record<string, TestReceiver>, routes: Route[]): Promise<void> {
  const { service } = h.alerting;
  await service.init();
  for (const [name, hook] of Object.entries(hooks)) {
    await service.channels.create(
      { name, kind: "webhook", enabled: true, url: hook.url, headers: {} },
      "api",
      DEFAULT_PROJECT_ID,
    );
  }
  await service.routing.put(
    DEFAULT_PROJECT_ID,
    { route: { matchers: [], continue: false, routes }, inhibitRules: [] },
    "api",
  );
  await service.reloadChannels();
}

const statuses = (hook: TestReceiver) => hook.received.map((r) => (r.body as { status: string }).status);

for (const kind of databaseKinds) {
  describe(`[${kind}] notifications`, () => {
    const cleanup: Array<() => Promise<void>> = [];
    // One database for the file: each test's harness empties alerting's tables when it closes.
    let database: TestDatabase;
    beforeAll(async () => {
      database = await createTestDatabase(kind, ["hub", "alerting"]);
    });
    afterAll(async () => {
      await database?.close();
    });
    afterEach(async () => {
      for (const c of cleanup.splice(0).reverse()) await c();
    });
    async function setup(
      hooks: Record<string, TestReceiver>,
      routes: Route[],
      env: Record<string, string> = {},
    ) {
      const h = await startAlerting(kind, { rules: [gaugeRule("Probe", "g")], env, database });
      cleanup.push(() => h.close());
      await wire(h, hooks, routes);
      return h;
    }
    async function receiver(script?: Parameters<typeof startReceiver>[0]) {
      const r = await startReceiver(script);
      cleanup.push(() => r.close());
      return r;
    }
    const firedAt = (h: Harness) =>
      eventually(() => h.events.find((e) => e.kind === "firing")?.at, 5000, "the firing event");

    it("a silence stops notifications while active and they resume after it expires", async () => {
      const hook = await receiver();
      const h = await setup({ hook }, [leaf("hook", { repeat: 1 })]);
      const endsAt = Date.now() + 2500;
      const created = await h.request("POST", "/silences", "engineer", {
        matchers: [{ name: "alertname", value: "Probe" }],
        endsAt,
        comment: "maintenance",
      });
      expect(created.status).toBe(201);
      const { silence } = (await created.json()) as { silence: { createdBy: string; state: string } };
      expect(silence).toMatchObject({ createdBy: "engineer@peakwatch.test", state: "active" });
      h.gauges.set("g", 5);
      h.alerting.start();
      await firedAt(h);
      // The alert is visible and marked silenced, but nothing is sent while the silence lasts.
      const listed = (await (await h.request("GET", "/alerts", "viewer")).json()) as {
        alerts: Array<{ state: string; silencedBy: string[] }>;
      };
      expect(listed.alerts[0]).toMatchObject({ state: "firing" });
      expect(listed.alerts[0]!.silencedBy).toHaveLength(1);
      await sleep(Math.max(0, endsAt - Date.now() - 300));
      expect(hook.received).toHaveLength(0);
      const first = await eventually(() => hook.received[0], 3000, "the notice after the silence");
      expect(first.at).toBeGreaterThanOrEqual(endsAt);
      expect(first.at - endsAt).toBeLessThan(2000);
      expect(statuses(hook)[0]).toBe("firing");
      // And reminders resume (repeat 1 s).
      await eventually(() => (hook.received.length >= 2 ? true : undefined), 3000, "a reminder");
    });
    it("an acknowledged alert gets no reminders but still its resolved notice", async () => {
      const hook = await receiver();
      const h = await setup({ hook }, [leaf("hook", { repeat: 0.8 })]);
      h.gauges.set("g", 5);
      h.alerting.start();
      await eventually(
        () => (hook.received.length >= 2 ? true : undefined),
        4000,
        "first notice and a reminder",
      );
      const fp = (hook.received[0]!.body as { alerts: Array<{ fingerprint: string }> }).alerts[0]!
        .fingerprint;
      const acked = await h.request("POST", `/alerts/${fp}/ack`, "engineer");
      expect(acked.status).toBe(200);
      const { alert } = (await acked.json()) as { alert: { acknowledgedBy: string; acknowledgedAt: number } };
      expect(alert.acknowledgedBy).toBe("engineer@peakwatch.test");
      const count = hook.received.length;
      await sleep(2500);
      expect(hook.received.length).toBe(count);
      // Still visible, with who and when; the dashboard heard about it.
      const listed = (await (await h.request("GET", "/alerts?state=firing", "viewer")).json()) as {
        alerts: Array<{ acknowledgedBy: string }>;
      };
      expect(listed.alerts[0]!.acknowledgedBy).toBe("engineer@peakwatch.test");
      expect(h.events.some((e) => e.kind === "acknowledged")).toBe(true);
      // A viewer may not acknowledge.
      expect((await h.request("POST", `/alerts/${fp}/ack`, "viewer")).status).toBe(403);
      h.gauges.set("g", 0);
      await eventually(
        () => (statuses(hook).at(-1) === "resolved" ? true : undefined),
        3000,
        "the resolved notice",
      );
      expect(statuses(hook).filter((s) => s === "resolved")).toHaveLength(1);
    });

    it("a webhook that answers 500 twice then 200 gets the notice on the third try, logged", async () => {
      const flaky = await receiver((n) => (n <= 2 ? 500 : 200));
      const h = await setup({ flaky }, [leaf("flaky")]);
      h.gauges.set("g", 5);
      h.alerting.start();
      await eventually(() => flaky.received[0], 5000, "the notice");
      expect(flaky.attempts).toBe(3);
      expect(flaky.received).toHaveLength(1);
      await h.alerting.service.deliveries.flushed();
      // The log row is written after the send; wait for it rather than race it.
      type Delivery = { channel: string; status: string; attempts: number; lastError: string | null };
      let sent: Delivery | undefined;
      for (const deadline = Date.now() + 3000; !sent && Date.now() < deadline; await sleep(100)) {
        const log = (await (await h.request("GET", "/deliveries", "engineer")).json()) as {
          deliveries: Delivery[];
        };
        sent = log.deliveries.find((d) => d.channel === "flaky" && d.status === "sent");
      }
      expect(sent).toMatchObject({ channel: "flaky", status: "sent", attempts: 3 });
    });

    it("a 4xx answer is not retried", async () => {
      const broken = await receiver(() => 400);
      const h = await setup({ broken }, [leaf("broken")]);
      h.gauges.set("g", 5);
      h.alerting.start();
      await firedAt(h);
      await eventually(() => (broken.attempts >= 1 ? true : undefined), 3000, "an attempt");
      await sleep(800);
      expect(broken.attempts).toBe(1);
      await h.alerting.service.deliveries.flushed();
      const [row] = await h.alerting.service.deliveries.list({ id: DEFAULT_PROJECT_ID, slug: "default" }, 1);
      expect(row).toMatchObject({ status: "failed", attempts: 1 });
      expect(row!.lastError).toMatch(/HTTP 400/);
    });

    it("a hanging webhook delays neither evaluation nor the other channels", async () => {
      const stuck = await receiver(() => "hang");
      const good = await receiver();
      const h = await setup({ stuck, good }, [leaf("stuck"), leaf("good")], {
        PEAKWATCH_NOTIFY_TIMEOUT_MS: "10000",
      });
      h.gauges.set("g", 5);
      h.alerting.start();
      const fired = await firedAt(h);
      const firstGood = await eventually(() => good.received[0], 3000, "the good channel's notice");
      expect(firstGood.at - fired).toBeLessThan(1500);
      // Evaluation goes on while the stuck channel hangs: the alert resolves promptly...
      const cleared = Date.now();
      h.gauges.set("g", 0);
      const resolved = await eventually(
        () => h.events.find((e) => e.kind === "resolved")?.at,
        3000,
        "resolved",
      );
      expect(resolved - cleared).toBeLessThan(1500);
      // ...and the good channel hears it at once, while the stuck one is still on its first try.
      await eventually(() => (statuses(good).includes("resolved") ? true : undefined), 2000, "good resolved");
      expect(stuck.attempts).toBe(1);
      expect(stuck.received).toHaveLength(0);
    });
  });
}

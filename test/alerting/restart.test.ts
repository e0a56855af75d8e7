import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_PROJECT_ID } from "../../core/api/projects.ts";
import { pendingNotices } from "../../db/schema/alerting.ts";
import { eventually, startReceiver, type TestReceiver } from "../helpers/alerting.ts";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../helpers/db.ts";
import { gaugeRule, type Harness, resetAlerting, startAlerting } from "./harness.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const statuses = (hook: TestReceiver) => hook.received.map((r) => (r.body as { status: string }).status);

/** Resolves once no notice is left pending (each delivered one is deleted from the outbox once recorded as sent). */
async function outboxEmpty(database: TestDatabase): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if ((await database.db.select().from(pendingNotices)).length === 0) return;
    if (Date.now() > deadline) throw new Error("a delivered notice was still pending after 10 s");
    await sleep(50);
  }
}

for (const kind of databaseKinds) {
  describe(`[${kind}] a hub restart while an alert fires`, () => {
    let database: TestDatabase;
    let hook: TestReceiver;
    const running: Harness[] = [];
    const masterKey = randomBytes(32);
    beforeAll(async () => {
      database = await createTestDatabase(kind, ["hub", "alerting"]);
      hook = await startReceiver();
    });
    afterAll(async () => {
      for (const h of running) await h.alerting.stop().catch(() => {});
      await hook?.close();
      if (database) await resetAlerting(database).catch(() => {});
      await database?.close();
    });

    /** One hub's alerting on the shared database, with the gauge already breaching. */
    async function boot(first: boolean): Promise<Harness> {
      const h = await startAlerting(kind, {
        database,
        masterKey,
        rules: first ? [gaugeRule("Checkout", "errors")] : [],
        // Quiet notifications as shipped, only shorter: wait 0.5 s, regroup 1 s, remind hourly.
        env: {
          PEAKWATCH_GROUP_WAIT_SECONDS: "0.5",
          PEAKWATCH_GROUP_INTERVAL_SECONDS: "1",
          PEAKWATCH_REPEAT_INTERVAL_SECONDS: "3600",
        },
      });
      running.push(h);
      if (first)
        await h.alerting.service.channels.create(
          {
            name: "hook",
            kind: "webhook",
            enabled: true,
            url: hook.url,
            headers: {},
          },
          "api",
          DEFAULT_PROJECT_ID,
        );
      h.gauges.set("errors", 5);
      h.alerting.start();
      return h;
    }

    it("sends no duplicate after the restart and exactly one resolved notice afterwards", async () => {
      const before = await boot(true);
      await eventually(() => hook.received[0], 10_000, "the firing notice");
      // Once the delivery is recorded (its outbox row gone), stop this "process".
      await outboxEmpty(database);
      await before.alerting.stop();

      const after = await boot(false);
      await after.alerting.service.init();
      // Several evaluations and more than group_wait + group_interval: nothing new may go out.
      await sleep(3000);
      expect(statuses(hook)).toEqual(["firing"]);

      after.gauges.set("errors", 0);
      await eventually(
        () => (statuses(hook).includes("resolved") ? true : undefined),
        10_000,
        "the resolved notice",
      );
      await sleep(1500);
      expect(statuses(hook)).toEqual(["firing", "resolved"]);
      const resolved = hook.received[1]!.body as { alerts: Array<{ labels: Record<string, string> }> };
      expect(resolved.alerts[0]!.labels.alertname).toBe("Checkout");
    }, 60_000);

    it("a notice cut off mid-delivery by a restart is sent by the next start, unchanged and only once", async () => {
      await resetAlerting(database);
      // The receiver takes the first notice and never answers, as if the hub died before it heard back.
      let hang = true;
      const slow = await startReceiver(() => (hang ? "hang" : 200));
      try {
        const boot = async (rules: ReturnType<typeof gaugeRule>[]) => {
          const h = await startAlerting(kind, {
            database,
            masterKey,
            rules,
            env: { PEAKWATCH_GROUP_WAIT_SECONDS: "0", PEAKWATCH_NOTIFY_RESEND_GRACE_SECONDS: "1" },
          });
          running.push(h);
          h.gauges.set("errors", 5);
          return h;
        };
        const first = await boot([gaugeRule("Checkout", "errors")]);
        await first.alerting.service.channels.create(
          {
            name: "slow",
            kind: "webhook",
            enabled: true,
            url: slow.url,
            headers: {},
          },
          "api",
          DEFAULT_PROJECT_ID,
        );
        first.alerting.start();
        const cut = await eventually(() => slow.hung[0], 10_000, "the first attempt");
        await first.alerting.stop();
        hang = false;

        const second = await boot([]);
        second.alerting.start();
        const resent = await eventually(() => slow.received[0], 10_000, "the re-sent notice");
        expect(resent.body, "re-sent as it was decided").toEqual(cut.body);
        expect(resent.headers["idempotency-key"]).toBe(cut.headers["idempotency-key"]);
        await outboxEmpty(database);
        await second.alerting.stop();

        // Delivered once: a third start has nothing to re-send.
        const third = await boot([]);
        third.alerting.start();
        await sleep(3000);
        expect(slow.received).toHaveLength(1);
        await third.alerting.stop();
      } finally {
        await slow.close();
      }
    }, 60_000);
  });
}

import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import type { AlertEvent } from "../../core/alert.ts";
import { parseProfile } from "../../core/profile.ts";
import type { Rule } from "../../core/rule.ts";
import { eventually, startReceiver, startSmtpSink } from "../helpers/alerting.ts";
import { databaseKinds } from "../helpers/db.ts";
import { startTestHub } from "../helpers/hub.ts";
import { runInProcess } from "../helpers/loadgen.ts";
import { ADMIN_TOKEN, HOOKS_TOKEN, startTestShop } from "../helpers/shop.ts";

// The test's rule: short windows so the whole story fits in half a minute.
const WINDOW_S = 6;
const FOR_S = 2;
const KEEP_FIRING_S = 8;
// A few clean seconds first: the window holds good checkouts when the fault begins.
const FAULT_AT_S = 3;
const FAULT_FOR_S = 15;
// The run goes on this long after the fault: its end resolves the alert (run-scoped rules end
// with their run), sooner than keep_firing_for would after the rate falls.
const AFTER_FAULT_S = 4;
// Quiet notifications as shipped (group_wait, group_interval), on a test's time scale.
const GROUP_INTERVAL_S = 3;
// Shop, hub and generator share this process's event loop: on a loaded 2-core machine a
// window can reach the hub seconds late, so latency bounds carry this much slack.
const SLACK_S = 12;
/** The first notice: firing, or held open by keep_firing_for if the rate dipped just then. */
const FIRST_TITLE = /^\[(FIRING|HELD OPEN \(recovering\)):1\] CheckoutErrorRate \(critical\)$/;

/** Records when the shop's payment_failure switch flips, polling its fault API every 100 ms. */
function watchFault(shopUrl: string) {
  const seen: { setAt?: number; clearedAt?: number } = {};
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const r = await fetch(`${shopUrl}/admin/faults`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      const body = JSON.stringify(await r.json());
      const on = /"payment_failure":\{[^}]*"enabled":true/.test(body);
      if (on && seen.setAt === undefined) seen.setAt = Date.now();
      if (!on && seen.setAt !== undefined && seen.clearedAt === undefined) seen.clearedAt = Date.now();
      await new Promise((res) => setTimeout(res, 100));
    }
  })();
  return {
    seen,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

for (const kind of databaseKinds) {
  describe(`[${kind}] a payment-failure fault during a load run`, () => {
    const cleanup: Array<() => Promise<void>> = [];
    afterAll(async () => {
      for (const c of cleanup.reverse()) await c().catch(() => {});
    });

    it("fires the checkout error-rate alert and resolves it in time; webhook, email, Slack and PagerDuty each hear exactly one firing and one resolved", async () => {
      const hook = await startReceiver();
      cleanup.push(() => hook.close());
      const slack = await startReceiver();
      cleanup.push(() => slack.close());
      const pagerduty = await startReceiver(() => 202);
      cleanup.push(() => pagerduty.close());
      const smtp = await startSmtpSink();
      cleanup.push(() => smtp.close());
      const shop = await startTestShop(kind);
      cleanup.push(() => shop.close());

      // Alerting reads its own settings from the environment (the hub passes none): set them
      // for the hub's start-up only.
      const settings = {
        PEAKWATCH_WEBHOOK_URL: hook.url,
        SMTP_URL: smtp.url,
        PEAKWATCH_ALERT_EMAIL: "managers@shop.test",
        PEAKWATCH_MASTER_KEY: randomBytes(32).toString("base64"),
        PEAKWATCH_ALERT_EVAL_INTERVAL_MS: "250",
        PEAKWATCH_NOTIFY_BACKOFF_MS: "200",
        PEAKWATCH_GROUP_WAIT_SECONDS: "1",
        PEAKWATCH_GROUP_INTERVAL_SECONDS: String(GROUP_INTERVAL_S),
      };
      const saved = Object.fromEntries(Object.keys(settings).map((k) => [k, process.env[k]]));
      Object.assign(process.env, settings);
      const hub = await startTestHub({
        kind,
        env: { PEAKWATCH_SHOP_URL: shop.url, SHOP_ADMIN_TOKEN: ADMIN_TOKEN },
      });
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      cleanup.push(() => hub.close());

      const admin = await hub.loginAs("admin");
      const api = async (method: string, path: string, body?: unknown) => {
        const r = await fetch(`${hub.url}/api/v1${path}`, {
          method,
          headers: { ...admin.headers, "content-type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        expect(r.status, `${method} ${path}: ${r.status}`).toBeLessThan(300);
        return r.json() as Promise<Record<string, unknown>>;
      };
      // The shipped rule, with the test's short window, for and keep_firing_for.
      const { rules } = (await api("GET", "/rules")) as { rules: Rule[] };
      const rule = rules.find((r) => r.name === "CheckoutErrorRate");
      if (rule?.kind !== "threshold") throw new Error("the default CheckoutErrorRate rule is missing");
      const { id, builtin: _b, createdAt: _c, updatedAt: _u, ...spec } = rule;
      await api("PUT", `/rules/${id}`, {
        ...spec,
        query: { ...spec.query, windowSeconds: WINDOW_S, minCount: 6 },
        // Halfway between no errors and the fault's 60 %: crossing takes as long on the way up as
        // down, and a few lucky checkouts in a small window do not flip it back.
        threshold: 0.3,
        forSeconds: FOR_S,
        keepFiringForSeconds: KEEP_FIRING_S,
      });
      // Slack and PagerDuty channels made through the API, next to the two start-up ones (env).
      await api("POST", "/channels", { name: "slack", kind: "slack", url: slack.url, channel: "#ops" });
      const routingKey = "0123456789abcdef0123456789abcdef";
      await api("POST", "/channels", {
        name: "pagerduty",
        kind: "pagerduty",
        routingKey,
        url: pagerduty.url,
      });
      await api("PUT", "/routes", {
        route: {
          matchers: [{ name: "alertname", value: "CheckoutErrorRate" }],
          routes: [
            { channel: "env-webhook", continue: true },
            { channel: "env-email", continue: true },
            { channel: "slack", continue: true },
            { channel: "pagerduty", continue: true },
          ],
        },
        inhibitRules: [],
      });

      // A dashboard client on the live socket.
      const socketEvents: Array<{ receivedAt: number; event: AlertEvent }> = [];
      const ws = new WebSocket(`${hub.url.replace(/^http/, "ws")}/api/v1/live`, {
        headers: { cookie: admin.cookie },
      });
      cleanup.push(async () => ws.close());
      await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
      ws.on("message", (data) => {
        const message = JSON.parse(data.toString()) as { type: string; event?: AlertEvent };
        if (message.type === "alert" && message.event)
          socketEvents.push({ receivedAt: Date.now(), event: message.event });
      });
      ws.send(JSON.stringify({ type: "subscribe", topics: ["alerts"] }));

      const parsed = parseProfile({
        name: "alert-demo",
        stages: [{ duration: FAULT_AT_S + FAULT_FOR_S + AFTER_FAULT_S, rate: 5 }],
        journeys: [{ name: "checkout", weight: 1 }],
        // A short grace before a second's window is sent: the hub hears of failures sooner.
        executor: { maxQueueDelay: "200ms" },
        faults: [
          {
            at: `${FAULT_AT_S}s`,
            fault: "payment_failure",
            params: { percentage: 60 },
            duration: `${FAULT_FOR_S}s`,
          },
        ],
      });
      if (!parsed.ok) throw new Error(parsed.error);
      const fault = watchFault(shop.url);
      cleanup.push(() => fault.stop());
      const outcome = await runInProcess(parsed.profile, shop.url, {
        testHooksToken: HOOKS_TOKEN,
        adminToken: ADMIN_TOKEN,
        customers: 100,
        hub: { url: hub.url, token: hub.agentToken },
        log: () => {},
      });
      expect(outcome.summary.steps.checkout?.errors).toBeGreaterThan(0);

      const ours = () => socketEvents.filter((e) => e.event.alert.rule === "CheckoutErrorRate");
      const resolvedAt = await eventually(
        () => ours().find((e) => e.event.kind === "resolved")?.receivedAt,
        (KEEP_FIRING_S + WINDOW_S + SLACK_S) * 1000,
        "the resolved event",
      ).catch((error: Error) => {
        const seen = ours().map((e) => `${e.event.kind}@${e.receivedAt}`);
        throw new Error(
          `${error.message}; events seen: ${seen.join(", ") || "none"}; checkout ${JSON.stringify(outcome.summary.steps.checkout)}`,
        );
      });
      await fault.stop();
      const { setAt, clearedAt } = fault.seen;
      if (setAt === undefined || clearedAt === undefined)
        throw new Error("the fault was never seen set and cleared");
      const firedAt = ours().find((e) => e.event.kind === "firing")!.receivedAt;
      const resolution = ours().find((e) => e.event.kind === "resolved")!.event.alert.annotations.resolution;
      console.log(
        `[${kind}] fired ${firedAt - setAt} ms after the fault began, resolved ${resolvedAt - clearedAt} ms after it ended (${resolution ?? "rate fell"})`,
      );
      // Fired within window + for (+ slack) of the fault's start; resolved within keep_firing_for + window (+ slack) of its end.
      expect(firedAt - setAt).toBeLessThanOrEqual((WINDOW_S + FOR_S + SLACK_S) * 1000);
      expect(firedAt).toBeGreaterThan(setAt);
      expect(resolvedAt - clearedAt).toBeLessThanOrEqual((KEEP_FIRING_S + WINDOW_S + SLACK_S) * 1000);
      expect(resolvedAt).toBeGreaterThan(clearedAt);

      // Each channel heard "firing" once and "resolved" once.
      const kinds = ours()
        .map((e) => e.event.kind)
        .filter((k) => k === "firing" || k === "resolved");
      expect(kinds).toEqual(["firing", "resolved"]);
      await eventually(
        () =>
          hook.received.length >= 2 &&
          smtp.messages.length >= 2 &&
          slack.received.length >= 2 &&
          pagerduty.received.length >= 2
            ? true
            : undefined,
        8000,
        "notices on every channel",
      );
      // More than group_interval: a late duplicate would show up now.
      await new Promise((r) => setTimeout(r, (GROUP_INTERVAL_S + 1) * 1000));
      const hookStatuses = hook.received.map((r) => (r.body as { status: string }).status);
      expect(hookStatuses).toEqual(["firing", "resolved"]);
      const payload = hook.received[0]!.body as Record<string, unknown>;
      expect(payload).toMatchObject({ version: "4", receiver: "env-webhook", status: "firing" });
      expect(smtp.messages.map((m) => m.subject)).toEqual([
        // Truthful: if the error rate dipped when group_wait ended, keep_firing_for holds it open.
        expect.stringMatching(FIRST_TITLE),
        expect.stringMatching(/^\[RESOLVED\] CheckoutErrorRate \(critical\)$/),
      ]);
      expect(smtp.messages[0]!.to).toEqual(["managers@shop.test"]);
      expect(smtp.messages[0]!.raw).toMatch(/Checkout error rate \d+(\.\d+)?%/);

      // Slack incoming-webhook shape: text plus mrkdwn section blocks, the channel override.
      expect(slack.received).toHaveLength(2);
      const [slackFiring, slackResolved] = slack.received.map((r) => r.body as Record<string, unknown>);
      expect(slackFiring).toMatchObject({
        text: expect.stringMatching(FIRST_TITLE),
        channel: "#ops",
        blocks: [
          { type: "section", text: { type: "mrkdwn", text: expect.any(String) } },
          {
            type: "section",
            text: {
              type: "mrkdwn",
              text: expect.stringMatching(/\*(firing|held open \(recovering\))\* CheckoutErrorRate/),
            },
          },
        ],
      });
      expect(slackResolved).toMatchObject({ text: "[RESOLVED] CheckoutErrorRate (critical)" });
      // PagerDuty Events API v2 shape: trigger then resolve of one dedup_key, with our routing key.
      expect(pagerduty.received).toHaveLength(2);
      const [trigger, resolve] = pagerduty.received.map((r) => r.body as Record<string, unknown>);
      expect(trigger).toMatchObject({
        routing_key: routingKey,
        event_action: "trigger",
        dedup_key: expect.stringMatching(/^[0-9a-f]{32}$/),
        payload: {
          summary: expect.stringMatching(FIRST_TITLE),
          severity: "critical",
          source: expect.any(String),
        },
      });
      expect(new Date((trigger!.payload as { timestamp: string }).timestamp).getTime()).toBeGreaterThan(0);
      expect(resolve).toEqual({
        routing_key: routingKey,
        event_action: "resolve",
        dedup_key: trigger!.dedup_key,
      });
    }, 180_000);
  });
}

import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { eventually, startReceiver, type TestReceiver } from "../helpers/alerting.ts";
import { databaseKinds } from "../helpers/db.ts";
import { gaugeRule, type Harness, startAlerting } from "./harness.ts";

/**
 * Alertmanager's API v2 (api/v2/openapi.yaml): `postableAlerts` is an array of `postableAlert`,
 * which is allOf {startsAt: date-time, endsAt: date-time, annotations: labelSet} and `alert`
 * {labels: labelSet (required), generatorURL: uri}; a labelSet maps strings to strings.
 * Strict: a field the spec does not name fails the test.
 */
const labelSet = z.record(z.string(), z.string());
const postableAlert = z.strictObject({
  labels: labelSet,
  annotations: labelSet.optional(),
  startsAt: z.iso.datetime({ offset: true }).optional(),
  endsAt: z.iso.datetime({ offset: true }).optional(),
  generatorURL: z.url().optional(),
});
const postableAlerts = z.array(postableAlert);

for (const kind of databaseKinds) {
  describe(`[${kind}] Alertmanager forwarding`, () => {
    let h: Harness | undefined;
    let am: TestReceiver | undefined;
    afterEach(async () => {
      await h?.close();
      await am?.close();
    });

    it("posts postableAlerts to /api/v2/alerts, re-sends while firing and sends the real end once resolved", async () => {
      am = await startReceiver();
      const base = am.url.replace(/\/hook$/, "/");
      h = await startAlerting(kind, {
        rules: [gaugeRule("QueueBacklog", "backlog", { labels: { team: "ops" } })],
        env: { PEAKWATCH_ALERTMANAGER_URL: base, PEAKWATCH_ALERTMANAGER_RESEND_MS: "700" },
      });
      h.gauges.set("backlog", 9);
      h.alerting.start();
      await eventually(() => (am!.received.length >= 2 ? true : undefined), 5000, "a post and a re-send");
      for (const post of am.received) {
        expect(post.path).toBe("/api/v2/alerts");
        expect(post.headers["content-type"]).toMatch(/^application\/json/);
        const parsed = postableAlerts.safeParse(post.body);
        expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      }
      const [first] = postableAlerts.parse(am.received[0]!.body);
      expect(first!.labels).toMatchObject({ alertname: "QueueBacklog", severity: "critical", team: "ops" });
      expect(first!.annotations).toEqual({ summary: "backlog is 9" });
      // While firing, endsAt lies ahead (Alertmanager expires the alert if we stop re-sending).
      expect(Date.parse(first!.endsAt!)).toBeGreaterThan(am.received[0]!.at);
      const second = postableAlerts.parse(am.received[1]!.body)[0]!;
      expect(second.startsAt).toBe(first!.startsAt);
      // Re-sent on its interval (700 ms here), not at once: measured from the evaluation that fired
      // the alert and sent the first post, since a first post delivered late (a loaded machine
      // held one 460 ms) shortens the gap between the two arrivals.
      const firedAt = h.events.find((e) => e.kind === "firing")!.alert.firedAt!;
      expect(am.received[1]!.at - firedAt).toBeGreaterThanOrEqual(700 - 5);

      h.gauges.set("backlog", 0);
      const resolvedPost = await eventually(
        () =>
          am!.received.find((r) => {
            const [a] = postableAlerts.parse(r.body);
            return a !== undefined && Date.parse(a.endsAt!) <= r.at;
          }),
        5000,
        "the resolved post",
      );
      const [resolved] = postableAlerts.parse(resolvedPost.body);
      const event = h.events.find((e) => e.kind === "resolved")!;
      expect(Date.parse(resolved!.endsAt!)).toBe(event.alert.resolvedAt);
      // Sent once: no further posts about a resolved alert.
      const count = am.received.length;
      await new Promise((r) => setTimeout(r, 1500));
      expect(am.received.length).toBe(count);
    });
  });
}

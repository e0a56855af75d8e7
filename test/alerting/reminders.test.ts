import { afterEach, describe, expect, it } from "vitest";
import { eventually } from "../helpers/alerting.ts";
import { databaseKinds } from "../helpers/db.ts";
import { gaugeRule, type Harness, startAlerting } from "./harness.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const kind of databaseKinds) {
  describe(`[${kind}] reminders over live push`, () => {
    let h: Harness | undefined;
    afterEach(async () => {
      await h?.close();
    });

    it("re-announces a firing alert each repeat interval until someone acknowledges it", async () => {
      h = await startAlerting(kind, {
        rules: [gaugeRule("Backlog", "backlog")],
        env: { PEAKWATCH_REPEAT_INTERVAL_SECONDS: "1" },
      });
      h.gauges.set("backlog", 5);
      h.alerting.start();
      const reminders = () => h!.events.filter((e) => e.kind === "reminder");
      await eventually(() => (reminders().length >= 2 ? true : undefined), 8000, "two reminders");
      const [first, second] = reminders();
      // One per interval, not one per evaluation (every 200 ms here).
      expect(second!.at - first!.at).toBeGreaterThanOrEqual(900);
      const fp = first!.alert.fingerprint;
      const r = await h.request("POST", `/alerts/${fp}/ack`, "engineer");
      expect(r.status).toBe(200);
      await sleep(300);
      const count = reminders().length;
      await sleep(2500);
      expect(reminders().length).toBe(count);
      // Stored in the history too, so a client that reconnects sees them.
      const history = (await (
        await h.request("GET", `/alerts/history?fingerprint=${fp}`, "viewer")
      ).json()) as {
        events: Array<{ kind: string }>;
      };
      expect(history.events.filter((e) => e.kind === "reminder").length).toBeGreaterThanOrEqual(2);
    }, 120_000);
  });
}

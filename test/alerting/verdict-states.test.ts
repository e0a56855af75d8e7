import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunList } from "../../core/api/runs.ts";
import { DEFAULT_PROJECT_ID } from "../../core/names.ts";
import type { RunVerdict } from "../../core/verdict.ts";
import { alertHistory } from "../../db/schema/alerting.ts";
import { databaseKinds } from "../helpers/db.ts";
import { startTestHub, type TestHub, type TestSession } from "../helpers/hub.ts";
import { makeRunReport } from "../hub/fixtures.ts";

const target = "http://127.0.0.1:4100";

for (const kind of databaseKinds) {
  describe(`[${kind}] the runs list judges each run as its verdict does`, () => {
    let t: TestHub;
    let viewer: TestSession;
    const t0 = Date.now() - 3_600_000;
    const span = (i: number) => ({ startedAt: t0 + i * 600_000, endedAt: t0 + i * 600_000 + 300_000 });

    beforeAll(async () => {
      t = await startTestHub({ kind });
      viewer = await t.loginAs("viewer");
      const report = async (runId: string, extra: object) => {
        const r = await fetch(`${t.url}/api/v1/ingest/runs`, {
          method: "POST",
          headers: { "content-type": "application/json", ...t.agentHeaders },
          body: JSON.stringify(makeRunReport(runId, { target, ...extra })),
        });
        expect(r.status, await r.text()).toBe(200);
      };
      await report("v-incidents", { ...span(0), status: "passed" });
      await report("v-clean", { ...span(1), status: "passed" });
      await report("v-failed", { ...span(2), status: "failed" });
      await report("v-shop-down", { ...span(3), status: "passed" });
      await report("v-other-shop", { ...span(4), status: "passed" });
      await report("v-late", { ...span(5), status: "passed" });
      await report("v-ongoing", { ...span(6), status: "passed" });
      const fired = (
        projectId: string,
        at: number,
        labels: Record<string, string>,
        severity = "critical",
      ) => ({
        projectId,
        fingerprint: randomUUID(),
        rule: "CheckoutErrorRate",
        kind: "firing",
        severity,
        at,
        labels,
        value: 0.3,
      });
      /** The resolution of a firing event `row`, at `at`. */
      const resolved = (row: ReturnType<typeof fired>, at: number) => ({ ...row, kind: "resolved", at });
      const betweenRuns = fired(DEFAULT_PROJECT_ID, span(0).endedAt + 60_000, { target });
      const justBefore = fired(DEFAULT_PROJECT_ID, span(1).startedAt - 1, { target });
      const shopDown = fired(DEFAULT_PROJECT_ID, span(3).startedAt + 1000, { target });
      await t.database.db.insert(alertHistory).values([
        fired(DEFAULT_PROJECT_ID, span(0).startedAt + 60_000, { runId: "v-incidents", step: "checkout" }),
        // During the clean run: a warning of its own, and another project's critical alert about
        // the same shop (no run label), which is none of this project's business.
        fired(DEFAULT_PROJECT_ID, span(1).startedAt + 60_000, { runId: "v-clean" }, "warning"),
        fired(randomUUID(), span(1).startedAt + 90_000, { target }),
        // About the shop, between two runs and resolved by the second's start: during neither.
        betweenRuns,
        resolved(betweenRuns, span(0).endedAt + 120_000),
        justBefore,
        resolved(justBefore, span(1).startedAt),
        // About the run's shop without a run label (a probe's ShopDown), during the run: it counts;
        // about another shop during a run: it does not.
        shopDown,
        resolved(shopDown, span(3).endedAt),
        fired(DEFAULT_PROJECT_ID, span(4).startedAt + 1000, { target: "http://127.0.0.1:4999" }),
        // Labelled with the run, 2 s after its end instant: its last windows were evaluated after
        // the generator stopped (seen in CI on a short run). It is the run's.
        fired(DEFAULT_PROJECT_ID, span(5).endedAt + 2000, { runId: "v-late", step: "checkout" }),
        // About the shop, fired before the run and still firing when it started: the run was
        // judged on a shop that was already down.
        fired(DEFAULT_PROJECT_ID, span(5).endedAt + 60_000, { target }),
      ]);
    });
    afterAll(async () => t?.close());

    it("passed with incidents where a critical alert fired during a run that passed; never another project's", async () => {
      const res = await fetch(`${t.url}/api/v1/runs`, { headers: viewer.headers });
      expect(res.status).toBe(200);
      const { runs } = (await res.json()) as RunList;
      const states = Object.fromEntries(runs.map((r) => [r.runId, [r.status, r.verdictState]]));
      expect(states).toEqual({
        "v-incidents": ["passed", "passed-with-incidents"],
        "v-clean": ["passed", "passed"],
        "v-failed": ["failed", "failed"],
        "v-shop-down": ["passed", "passed-with-incidents"],
        "v-other-shop": ["passed", "passed"],
        "v-late": ["passed", "passed-with-incidents"],
        "v-ongoing": ["passed", "passed-with-incidents"],
      });
      // The run's own verdict agrees, and lists only this project's alerts.
      for (const r of runs) {
        const verdict = (await (
          await fetch(`${t.url}/api/v1/runs/${r.runId}/verdict`, { headers: viewer.headers })
        ).json()) as RunVerdict;
        expect(verdict.state, r.runId).toBe(r.verdictState);
      }
      const clean = (await (
        await fetch(`${t.url}/api/v1/runs/v-clean/verdict`, { headers: viewer.headers })
      ).json()) as RunVerdict;
      expect(clean.incidents.map((i) => i.severity)).toEqual(["warning"]);
      const ongoing = (await (
        await fetch(`${t.url}/api/v1/runs/v-ongoing/verdict`, { headers: viewer.headers })
      ).json()) as RunVerdict;
      expect(ongoing.incidents).toMatchObject([{ rule: "CheckoutErrorRate", firingAtStart: true }]);
      expect(ongoing.text).toMatch(
        /1 critical alert already firing when the run started \(CheckoutErrorRate .*, firing since \d\d:\d\d UTC\)/,
      );
    });
  });
}

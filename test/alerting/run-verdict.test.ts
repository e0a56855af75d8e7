import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseProfile } from "../../core/profile.ts";
import type { RunVerdict } from "../../core/verdict.ts";
import { verdictStateLabels } from "../../core/verdict.ts";
import { headlineLines, type RunSummary } from "../../loadgen/outputs/summary.ts";
import { ensureDashboardBuilt } from "../browser/stack.ts";
import { hubApi, tuneShippedRule, withEnv } from "../helpers/alerting.ts";
import { ConsoleWatch, chromiumInstalled, launchBrowser, screenshot } from "../helpers/browser.ts";
import { databaseKinds } from "../helpers/db.ts";
import { startTestHub } from "../helpers/hub.ts";
import { runInProcess } from "../helpers/loadgen.ts";
import { ADMIN_TOKEN, HOOKS_TOKEN, startTestShop } from "../helpers/shop.ts";

// Short windows so the story fits in half a minute; the shipped CheckoutErrorRate keeps its
// keep_firing_for of 20 s, which the run's end must cut short.
const WINDOW_S = 5;
// A short clean lead-in: checkouts flow (and the hub knows the run) before the fault begins.
const FAULT_AT_S = 2;
const FAULT_FOR_S = 10;
const RUN_S = FAULT_AT_S + FAULT_FOR_S + 2;

for (const kind of databaseKinds) {
  describe(`[${kind}] a load run with a payment fault`, () => {
    const cleanup: Array<() => Promise<void>> = [];
    afterAll(async () => {
      for (const c of cleanup.reverse()) await c().catch(() => {});
    });

    it("ends its alerts with the run and names them in its verdict, in the API and the JUnit file", async () => {
      const shop = await startTestShop(kind);
      cleanup.push(() => shop.close());
      const env = {
        PEAKWATCH_MASTER_KEY: randomBytes(32).toString("base64"),
        PEAKWATCH_ALERT_EVAL_INTERVAL_MS: "250",
      };
      const hub = await withEnv(env, () => startTestHub({ kind, env: { PEAKWATCH_SHOP_URL: shop.url } }));
      cleanup.push(() => hub.close());
      const api = hubApi(hub.url, await hub.loginAs("admin"));
      await tuneShippedRule(api, "CheckoutErrorRate", (spec) => ({
        ...spec,
        query: { ...spec.query, windowSeconds: WINDOW_S, minCount: 4 },
        forSeconds: 1,
      }));

      const parsed = parseProfile({
        name: "verdict-demo",
        stages: [{ duration: RUN_S, rate: 5 }],
        journeys: [{ name: "checkout", weight: 1 }],
        executor: { maxQueueDelay: "200ms" },
        thresholds: ["error_rate < 50%"],
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
      const outDir = mkdtempSync(join(tmpdir(), "pw-verdict-"));
      cleanup.push(async () => rmSync(outDir, { recursive: true, force: true }));
      const runId = `verdict-${Date.now().toString(36)}`;
      const outcome = await runInProcess(parsed.profile, shop.url, {
        runId,
        outDir,
        testHooksToken: HOOKS_TOKEN,
        adminToken: ADMIN_TOKEN,
        customers: 100,
        hub: { url: hub.url, token: hub.agentToken },
      });
      const endedAt = Date.now();
      expect(outcome.summary.status).toBe("passed");
      // The terminal's first lines agree: the combined verdict leads, the thresholds line says what it judges.
      const [headline, thresholdsLine] = headlineLines(outcome.summary);
      expect(headline).toMatch(
        new RegExp(
          `^verdict: ${verdictStateLabels[outcome.summary.combinedVerdict!.state]}: Thresholds passed`,
        ),
      );
      expect(thresholdsLine).toMatch(/^thresholds passed: \d+ requests/);

      // Within 2 minutes of the run's end, nothing about it fires (in practice: seconds).
      type Listed = {
        alerts: Array<{
          state: string;
          rule: string;
          labels: Record<string, string>;
          annotations: Record<string, string>;
        }>;
      };
      let firing: Listed["alerts"] = [];
      let quietAfterMs = -1;
      for (
        const deadline = endedAt + 120_000;
        Date.now() < deadline;
        await new Promise((r) => setTimeout(r, 250))
      ) {
        const { alerts } = await api<Listed>("GET", "/alerts");
        firing = alerts.filter((a) => a.state === "firing");
        if (firing.length === 0) {
          quietAfterMs = Date.now() - endedAt;
          break;
        }
      }
      expect(firing, "alerts still firing 2 minutes after the run ended").toEqual([]);
      console.log(`[${kind}] nothing firing ${quietAfterMs} ms after the run ended`);
      const { alerts } = await api<Listed>("GET", "/alerts");
      const ours = alerts.find((a) => a.rule === "CheckoutErrorRate" && a.labels.runId === runId);
      expect(ours?.state).toBe("resolved");
      expect(ours?.annotations.resolution).toBe("run ended");

      const verdict = await api<RunVerdict>("GET", `/runs/${runId}/verdict`);
      expect(verdict.state).toBe("passed-with-incidents");
      expect(verdict.thresholdsPassed).toBe(true);
      const incident = verdict.incidents.find((i) => i.rule === "CheckoutErrorRate");
      expect(incident).toMatchObject({
        severity: "critical",
        injectedFault: expect.stringMatching(/^payment_failure/),
      });
      expect(incident!.valueText).toMatch(/^\d+(\.\d)? %$/);
      // CheckoutErrorBudgetBurn may fire too (60 % errors burn a 99 % budget fast): both are named.
      expect(verdict.text).toMatch(/^Thresholds passed; \d critical alerts? fired during the run \(/);
      expect(verdict.text).toMatch(
        /CheckoutErrorRate \d+(\.\d)? % at \d\d:\d\d UTC, caused by the injected fault payment_failure \(percentage 60\)/,
      );

      const junit = readFileSync(outcome.files.junit, "utf8");
      expect(junit).toContain('<property name="peakwatch.verdict" value="passed-with-incidents"/>');
      expect(junit).toMatch(
        /<testcase classname="peakwatch\.verdict-demo\.alerts" name="alert CheckoutErrorRate \(critical\) \d+(\.\d)? % at /,
      );
      expect(junit).toMatch(/<error message="critical alert fired during the run: CheckoutErrorRate/);
      expect(junit).toContain("caused by the injected fault payment_failure");

      // summary.json and the CLI's report.html carry the verdict the generator fetched.
      const summary = JSON.parse(readFileSync(outcome.files.summary, "utf8")) as RunSummary;
      expect(summary.combinedVerdict?.state).toBe("passed-with-incidents");
      expect(summary.combinedVerdict?.incidents.map((i) => i.rule)).toContain("CheckoutErrorRate");
      const cliHtml = readFileSync(outcome.files.html, "utf8");
      expect(cliHtml).toContain(
        'data-verdict="passed-with-incidents"><strong>passed with incidents</strong>',
      );
      expect(cliHtml).toMatch(
        /<tr data-incident="CheckoutErrorRate" data-severity="critical"><td>CheckoutErrorRate<\/td><td>critical<\/td><td>\d+(\.\d)? %<\/td><td>\d\d:\d\d:\d\d UTC<\/td><td>injected fault payment_failure \(percentage 60\)<\/td>/,
      );

      // The hub's own reports of the run say the same, from its alert history.
      const viewer = await hub.loginAs("viewer");
      const served = async (kind: string) => {
        const r = await fetch(`${hub.url}/api/v1/runs/${runId}/report.${kind}`, { headers: viewer.headers });
        expect(r.status, kind).toBe(200);
        return r.text();
      };
      const hubXml = await served("xml");
      expect(hubXml).toContain('<property name="peakwatch.verdict" value="passed-with-incidents"/>');
      expect(hubXml).toMatch(
        /<error message="critical alert fired during the run: CheckoutErrorRate \d+(\.\d)? %"/,
      );
      expect(hubXml).toMatch(/errors="[1-9]\d*"/);
      const hubHtml = await served("html");
      expect(hubHtml).toContain('data-verdict="passed-with-incidents"');
      expect(hubHtml).toContain('<tr data-incident="CheckoutErrorRate" data-severity="critical">');
      const hubJson = JSON.parse(await served("json")) as { combinedVerdict?: RunVerdict };
      expect(hubJson.combinedVerdict?.state).toBe("passed-with-incidents");

      // The run's page in the dashboard: "Passed with incidents", the alert named with its value.
      if (!chromiumInstalled) return;
      await ensureDashboardBuilt();
      const browser = await launchBrowser();
      cleanup.push(() => browser.close());
      const page = await browser.context.newPage();
      const consoleWatch = new ConsoleWatch(page);
      const mailed = hub.mailbox.length;
      await page.goto(`${hub.url}/`);
      await page.getByLabel("Email").fill(viewer.email);
      await page.getByLabel("Email").press("Enter");
      await expect.poll(() => hub.mailbox.length, { timeout: 10_000 }).toBeGreaterThan(mailed);
      await page.getByLabel("Code").fill(hub.mailbox[hub.mailbox.length - 1]!.code);
      await page.getByLabel("Code").press("Enter");
      await page.getByTestId("whoami").waitFor();
      await page.goto(`${hub.url}/#/runs/${runId}`);
      await page.getByTestId("combined-verdict").waitFor({ timeout: 15_000 });
      expect(await page.getByTestId("run-state").textContent()).toBe("passed with incidents");
      // One badge says it; the verdict below does not repeat it.
      expect(await page.locator(".badge.passed-with-incidents").count()).toBe(1);
      expect(await page.getByTestId("combined-verdict").textContent()).toMatch(
        /^Thresholds passed; \d critical alerts? fired during the run \(.*CheckoutErrorRate \d+(\.\d)? % at/,
      );
      const item = page.locator('[data-testid="incident"][data-rule="CheckoutErrorRate"]');
      expect(await item.getAttribute("data-severity")).toBe("critical");
      expect(await item.textContent()).toMatch(
        /critical\s+CheckoutErrorRate \d+(\.\d)? % at .+, caused by the injected fault payment_failure \(percentage 60\)/,
      );
      await screenshot(page, `${kind}-run-passed-with-incidents`);
      consoleWatch.assertClean("run detail");
    }, 240_000);
  });
}

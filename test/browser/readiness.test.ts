import { expect, it } from "vitest";
import { screenshot } from "../helpers/browser.ts";
import type { TestHub } from "../helpers/hub.ts";
import { measurement } from "../plan/measurement.ts";
import { logInByMail } from "./pages.ts";
import { describeInBrowser, withHub } from "./suite.ts";

describeInBrowser("readiness card in a real browser", () => {
  const report = async (hub: TestHub, path: string, body: unknown) => {
    const r = await fetch(`${hub.url}/api/v1${path}`, {
      method: "POST",
      headers: { ...hub.agentHeaders, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(r.status, await r.clone().text()).toBeLessThan(300);
  };

  const s = withHub({}, async ({ server: hub }) => {
    // The evidence: the capacity steps are real runs in the hub.
    const m = measurement();
    for (const step of m.steps)
      await report(hub, "/ingest/runs", {
        runId: step.runId,
        profile: `capacity:holiday.yaml @ ${step.rate} journeys/s`,
        target: m.url,
        status: "passed",
        startedAt: Date.parse(m.measuredAt) - 60_000,
        endedAt: Date.parse(m.measuredAt) - 30_000,
        plannedSeconds: 26,
      });
    // An earlier release of the same shop did not make it; today's does.
    await report(
      hub,
      "/readiness/measurements",
      measurement({
        measuredAt: "2026-11-01T09:00:00.000Z",
        capacityJourneys: 168,
        knee: { rate: 184, slo: "p95(checkout)<800ms", step: "checkout", value: "1210.0 ms" },
      }),
    );
    await report(hub, "/readiness/measurements", m);
  });

  it("shows the verdict, the headroom and links to the runs it was measured in", async () => {
    const { page, server: hub, consoleWatch } = s;
    // A manager with the viewer role logs in through the login form with the mailed code.
    const email = "manager@example.com";
    await hub.loginAs("viewer", { email });
    await logInByMail(page, hub, email);
    await page.goto(`${hub.url}/#/summary`);
    const card = page.getByTestId("readiness-card");
    await card.waitFor({ timeout: 15_000 }).catch(async (error) => {
      await screenshot(page, "readiness-card-missing");
      throw error;
    });
    expect(await card.getByTestId("readiness-verdict").textContent()).toContain(
      "Ready: capacity 420 journeys/s, 1.6× the planned peak",
    );
    expect(await card.getByTestId("readiness-headroom").textContent()).toBe("1.6×");
    expect(await card.getByTestId("readiness-knee").textContent()).toMatch(
      /p95\(checkout\)<800ms at 460 journeys\/s/,
    );
    // With its year and zone, in the one format every instant has.
    expect(await card.getByTestId("readiness-date").textContent()).toMatch(/11\/20\/2026, .*(UTC|GMT)/);
    const links = card.getByTestId("readiness-runs").getByRole("link");
    expect(await links.evaluateAll((as) => as.map((a) => a.getAttribute("href")))).toEqual([
      "#/runs/cap-1-s1",
      "#/runs/cap-1-s2",
      "#/runs/cap-1-s3",
    ]);
    await expect.poll(() => card.getByTestId("readiness-history").textContent()).toMatch(/168 journeys\/s/);
    await screenshot(page, "readiness-card");
    consoleWatch.assertClean("summary with readiness");

    await links.nth(2).click();
    await page.waitForURL(/#\/runs\/cap-1-s3$/);
    // The run's own page: its profile names the capacity step it was.
    await page.getByText("capacity:holiday.yaml @ 420 journeys/s").first().waitFor();
  });
});

import { expect, it } from "vitest";
import type { Alert } from "../../core/alert.ts";
import { alertHistory } from "../../db/schema/alerting.ts";
import { screenshot } from "../helpers/browser.ts";
import { logInByMail, showView } from "./pages.ts";
import { describeInBrowser, withHub } from "./suite.ts";

/** More changes than two pages of 25 hold, so "Show older" is needed twice and then goes away. */
const CHANGES = 60;
const FIRST = Date.parse("2026-11-27T09:00:00Z");

/** Change i (1-based; higher is newer): a rule of its own, so each row can be told apart. */
function change(i: number) {
  const rule = `Rule${String(i).padStart(2, "0")}`;
  const at = FIRST + i * 60_000;
  const alert: Alert = {
    fingerprint: `fp-${i}`,
    rule,
    state: "firing",
    severity: i % 2 === 0 ? "critical" : "warning",
    labels: { alertname: rule, step: "checkout" },
    annotations: { summary: `change ${i} of ${CHANGES}` },
    value: 0.25,
    valueText: "25.0 %",
    activeAt: at,
    firedAt: at,
    resolvedAt: null,
    acknowledgedBy: null,
    acknowledgedAt: null,
    silencedBy: [],
    inhibited: false,
  };
  return {
    fingerprint: alert.fingerprint,
    rule,
    kind: "firing",
    severity: alert.severity,
    at,
    labels: alert.labels,
    value: alert.value,
    alert,
  };
}

describeInBrowser("alert history paging in a real browser", () => {
  const s = withHub({}, async ({ server: hub }) => {
    // Inserted oldest first, as the hub appends them: row ids grow with time.
    await hub.database.db
      .insert(alertHistory)
      .values(Array.from({ length: CHANGES }, (_, i) => change(i + 1)));
  });

  it("shows the latest 25 changes, newest first, and pages back with Show older until none is left", async () => {
    const { page, server: hub, consoleWatch } = s;
    const email = "engineer@example.com";
    await hub.loginAs("viewer", { email });
    await logInByMail(page, hub, email);
    await showView(page, "#/alerts");
    const history = page.locator("pw-alert-history");
    const rules = () => history.locator("tbody tr strong").allTextContents();
    const older = history.getByTestId("history-older");

    await expect.poll(async () => (await rules()).length, { timeout: 15_000 }).toBe(25);
    expect((await rules())[0]).toBe("Rule60");
    expect((await rules()).at(-1)).toBe("Rule36");
    expect(await history.getByTestId("history-shown").textContent()).toBe("Showing the latest 25 changes");
    // Each row says what the alert measured, with its unit.
    expect(await history.getByTestId("history-value").first().textContent()).toBe("value 25.0 %");
    await screenshot(page, "alert-history-first-page");

    await older.click();
    await expect.poll(async () => (await rules()).length, { timeout: 15_000 }).toBe(50);
    expect(await history.getByTestId("history-shown").textContent()).toBe("Showing the latest 50 changes");
    // The older page follows on: no change twice, none skipped.
    expect(await rules()).toEqual(
      Array.from({ length: 50 }, (_, i) => `Rule${String(60 - i).padStart(2, "0")}`),
    );

    await older.click();
    await expect.poll(async () => (await rules()).length, { timeout: 15_000 }).toBe(CHANGES);
    expect((await rules()).at(-1)).toBe("Rule01");
    // Nothing older is left: the button and its line go.
    expect(await older.count()).toBe(0);
    expect(await history.getByTestId("history-shown").count()).toBe(0);
    consoleWatch.assertClean("alert history paging");
  }, 90_000);
});

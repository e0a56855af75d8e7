import { expect, it } from "vitest";
import { screenshot } from "../helpers/browser.ts";
import { makeProbeResult } from "../hub/fixtures.ts";
import { logInByMail } from "./pages.ts";
import { describeInBrowser, withHub } from "./suite.ts";

describeInBrowser("Probes view: probes defined on the hub", () => {
  const s = withHub({ env: { PEAKWATCH_SHOP_URL: "http://127.0.0.1:5599" } });

  it("an ops user adds a probe (a bad one is refused naming the field), pauses and deletes it; the probes poll follows", async () => {
    const { page, server: t, consoleWatch: watch } = s;
    const ops = await t.loginAs("ops");
    await logInByMail(page, t, ops.email);

    // The Control view's target is the shop this hub scrapes, whatever its port. No shop runs
    // here, so its fault switches answer 503.
    watch.allow(/503 .*\/api\/v1\/faults/);
    await page.getByRole("link", { name: "Control" }).click();
    const target = page.getByTestId("start-form").getByLabel("Target URL");
    await expect.poll(() => target.inputValue(), { timeout: 15_000 }).toBe("http://127.0.0.1:5599");

    await page.getByRole("link", { name: "Probes" }).click();
    const editor = page.getByTestId("probe-editor");
    await editor.getByText("None yet.").waitFor();
    const textarea = editor.getByLabel(/New probe/);
    watch.allow(/400/);
    await textarea.fill(
      JSON.stringify({ name: "edge-home", kind: "http", url: "http://127.0.0.1:9/", interval: "soon" }),
    );
    await editor.getByRole("button", { name: "Add probe" }).click();
    await expect
      .poll(() => editor.getByTestId("probe-editor-error").textContent())
      .toMatch(/probe\.interval: not a duration/);
    const served = async () =>
      (
        (await (await fetch(`${t.url}/api/v1/probes/config`, { headers: t.agentHeaders })).json()) as {
          probes: { name: string }[];
        }
      ).probes.map((p) => p.name);
    expect(await served()).toEqual([]);

    await textarea.fill(
      JSON.stringify({ name: "edge-home", kind: "http", url: "http://127.0.0.1:9/", interval: "30s" }),
    );
    await editor.getByRole("button", { name: "Add probe" }).click();
    await editor.locator('tr[data-definition="edge-home"]').waitFor();
    expect(await served()).toEqual(["edge-home"]);
    await screenshot(page, "probe-editor");

    await editor.getByRole("button", { name: "Pause probe edge-home" }).click();
    await expect
      .poll(() => editor.locator('tr[data-definition="edge-home"]').textContent())
      .toMatch(/paused/);
    expect(await served()).toEqual([]);

    // A check it made before it was deleted: its card shows on the page.
    const reported = await fetch(`${t.url}/api/v1/ingest/probe-results`, {
      method: "POST",
      headers: { ...t.agentHeaders, "content-type": "application/json" },
      body: JSON.stringify({
        results: [makeProbeResult({ probe: "edge-home", startedAt: Date.now() - 1000 })],
      }),
    });
    expect(reported.status).toBe(200);
    const card = page.locator('article[data-probe="edge-home"]');
    await card.waitFor({ timeout: 10_000 });

    page.once("dialog", (dialog) => void dialog.accept());
    await editor.getByRole("button", { name: "Delete probe edge-home" }).click();
    await editor.getByText("None yet.").waitFor();
    // Deleted: its card leaves the page at once, and the hub no longer lists it.
    await expect.poll(() => card.count(), { timeout: 5000 }).toBe(0);
    const listed = (await (await fetch(`${t.url}/api/v1/probes`, { headers: ops.headers })).json()) as {
      probes: { name: string }[];
    };
    expect(listed.probes.map((p) => p.name)).not.toContain("edge-home");
    watch.assertClean("probe editor");
  }, 120_000);
});

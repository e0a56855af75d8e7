import { expect, it } from "vitest";
import { screenshot } from "../helpers/browser.ts";
import { logIn, showView } from "./pages.ts";
import { describeInBrowser, withStack } from "./suite.ts";

describeInBrowser("backups in the Admin view", () => {
  const s = withStack("pglite");

  it("an admin backs up the running hub with one click and sees its time, size and download link", async () => {
    const { page, server: stack } = s;
    await logIn(page, stack, stack.adminEmail);
    await showView(page, "#/admin");
    const panel = page.locator("pw-backups");
    await expect.poll(() => panel.getByTestId("backup-status").textContent()).toMatch(/No backup yet/);
    await panel.getByRole("button", { name: "Back up now" }).click();
    await expect
      .poll(() => panel.getByRole("status").textContent(), { timeout: 60_000 })
      .toMatch(/Wrote hub-\d{8}T\d{6}Z\.pwbackup \(\d+(\.\d)? [kM]B\)/);
    await expect
      .poll(() => panel.getByTestId("backup-status").textContent())
      .toMatch(/Last backup .* [kM]B\./s);
    const link = panel.getByTestId("backups-table").getByRole("link").first();
    const href = await link.getAttribute("href");
    expect(href).toMatch(/^\/api\/v1\/backups\/hub-\d{8}T\d{6}Z\.pwbackup$/);
    const download = await page.evaluate(async (url) => {
      const response = await fetch(url!);
      return { status: response.status, start: (await response.text()).slice(0, 16) };
    }, href);
    expect(download).toEqual({ status: 200, start: "PEAKWATCH-BACKUP" });
    await panel.scrollIntoViewIfNeeded();
    await screenshot(page, "admin-backups");
  }, 120_000);
});

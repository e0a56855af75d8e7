import { expect, it } from "vitest";
import { screenshot } from "../helpers/browser.ts";
import { makeWindow } from "../hub/fixtures.ts";
import { apiFromPage, logIn, showView } from "./pages.ts";
import { describeInBrowser, withStack } from "./suite.ts";

describeInBrowser("agent tokens in the Admin view", () => {
  const s = withStack("pglite");

  const ingestWith = (token: string) =>
    fetch(`${s.server.hubUrl}/api/v1/ingest/windows`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({
        windows: [
          makeWindow({
            runId: "browser-token",
            step: "browse",
            worker: "w1",
            second: Math.floor(Date.now() / 1000),
          }),
        ],
      }),
    });

  it("an admin creates a token, sees its secret once, sees an expired one marked, and revokes it (audited)", async () => {
    const { page, server: stack } = s;
    await logIn(page, stack, stack.adminEmail);
    // A token created already expired could never be used: refused, naming the field.
    const past = await apiFromPage(page, "POST", "/agent-tokens", {
      name: "old-worker",
      expiresAt: new Date(Date.now() - 86_400_000).toISOString(),
    });
    expect(past.status).toBe(400);
    expect(past.body.message).toMatch(/^body\.expiresAt: .* is in the past/);
    // One token that expires in a few seconds: once past, listed, marked expired, not deleted.
    const expiresAt = Date.now() + 4000;
    const stale = await apiFromPage(page, "POST", "/agent-tokens", {
      name: "old-worker",
      expiresAt: new Date(expiresAt).toISOString(),
    });
    expect(stale.status).toBe(201);
    await new Promise((r) => setTimeout(r, Math.max(0, expiresAt - Date.now() + 200)));
    await showView(page, "#/admin");
    const panel = page.locator("pw-agent-tokens");
    await expect
      .poll(() => panel.getByTestId("agent-tokens-table").textContent())
      .toMatch(/old-worker.*expired/s);

    await panel.getByLabel("Name").fill("ci-nightly");
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await panel.getByLabel("Expires (optional)").fill(tomorrow);
    await panel.getByRole("button", { name: "Create token" }).click();
    const secretBox = panel.getByTestId("new-token");
    await secretBox.waitFor();
    expect(await secretBox.textContent()).toMatch(/cannot show it\s+again/);
    const token = (await secretBox.locator("code").textContent())!.trim();
    expect(token).toMatch(/^pwa_/);
    // The secret shown is the real one: ingest takes it.
    expect((await ingestWith(token)).status).toBe(200);
    await expect.poll(() => panel.getByTestId("agent-tokens-table").textContent()).toContain("ci-nightly");
    await panel.scrollIntoViewIfNeeded();
    await screenshot(page, "admin-agent-tokens");

    // Shown once: after "Done" and a reload, the secret is nowhere on the page.
    await secretBox.getByRole("button", { name: "Done, hide it" }).click();
    await page.reload();
    await showView(page, "#/admin");
    await expect.poll(() => panel.getByTestId("agent-tokens-table").textContent()).toContain("ci-nightly");
    expect(await page.locator("body").evaluate(() => document.body.innerHTML)).not.toContain(token);
    expect(await panel.getByTestId("new-token").count()).toBe(0);

    await panel.getByRole("button", { name: "Revoke ci-nightly" }).click();
    await expect.poll(() => panel.getByRole("status").textContent()).toBe("Revoked ci-nightly.");
    await expect
      .poll(() => panel.getByTestId("agent-tokens-table").textContent())
      .not.toContain("ci-nightly");
    expect((await ingestWith(token)).status).toBe(401);

    const auditPanel = page.locator("pw-audit-log");
    await page.reload();
    await showView(page, "#/admin");
    await expect
      .poll(() => auditPanel.getByTestId("audit-table").textContent())
      .toMatch(/agent_token\.revoked\s*ci-nightly/);
    await auditPanel.scrollIntoViewIfNeeded();
    await screenshot(page, "admin-audit-log");
  }, 120_000);
});

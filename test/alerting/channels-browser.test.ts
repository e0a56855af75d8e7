import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logIn, showView } from "../browser/pages.ts";
import { type Stack, startStack } from "../browser/stack.ts";
import { startReceiver, type TestReceiver } from "../helpers/alerting.ts";
import {
  chromiumInstalled,
  launchBrowser,
  screenshot,
  skipReason,
  type TestBrowser,
} from "../helpers/browser.ts";

const SECRET = "hook-secret-7d41";

if (!chromiumInstalled) {
  console.warn(skipReason);
  describe("notification channels in the Admin view", () => it.skip(skipReason!, () => {}));
} else {
  describe("notification channels in the Admin view", () => {
    let stack: Stack;
    let browser: TestBrowser;
    let receiver: TestReceiver;
    beforeAll(async () => {
      [stack, browser, receiver] = await Promise.all([
        startStack("pglite"),
        launchBrowser(),
        startReceiver(),
      ]);
    }, 180_000);
    afterAll(async () => {
      await browser?.close();
      await stack?.close();
      await receiver?.close();
    });

    it("an admin creates a webhook channel, sends a test and sees the receiver's answer; the secret is never shown again", async () => {
      const page = await browser.context.newPage();
      await logIn(page, stack, stack.adminEmail);
      await showView(page, "#/admin");
      const panel = page.locator("pw-channels");
      const form = panel.getByTestId("channel-form");
      await form.getByLabel("Name").fill("ops-hook");
      await form.getByLabel("URL").fill(`${receiver.url}?token=${SECRET}`);
      await form.getByLabel("Authorization header").fill(`Bearer ${SECRET}`);
      await form.getByRole("button", { name: "Create channel" }).click();
      await expect
        .poll(() => panel.getByTestId("channels-message").textContent())
        .toMatch(/Saved channel ops-hook/);

      const row = panel.locator('[data-testid="channel-row"][data-name="ops-hook"]');
      await expect.poll(() => row.textContent()).toMatch(/stored encrypted/);
      expect(await row.textContent()).toContain(new URL(receiver.url).origin);

      await row.getByTestId("send-test").click();
      await expect
        .poll(() => row.getByTestId("test-result").textContent(), { timeout: 15_000 })
        .toMatch(/delivered in \d+ ms/);
      expect(receiver.received).toHaveLength(1);
      const delivered = receiver.received[0]!;
      expect(delivered.headers.authorization).toBe(`Bearer ${SECRET}`);
      expect(delivered.path).toBe(`/hook?token=${SECRET}`);
      expect(delivered.body).toMatchObject({
        version: "4",
        alerts: [{ labels: { alertname: "PeakwatchTest" } }],
      });

      // Editing shows every setting but the secrets: the fields are empty, marked as stored.
      await row.getByRole("button", { name: "Edit ops-hook" }).click();
      const url = form.getByLabel("URL");
      expect(await url.inputValue()).toBe("");
      expect(await url.getAttribute("placeholder")).toMatch(/stored encrypted/);
      expect(await form.getByLabel("Authorization header").inputValue()).toBe("");
      // Nowhere in the page, inputs included, and not in what the API sent it.
      const everything = await page.evaluate(() => {
        const host = document.querySelector("pw-app")?.shadowRoot ?? document;
        const walk = (root: Document | ShadowRoot | Element): string => {
          let out = root instanceof Element ? root.outerHTML : "";
          for (const el of Array.from((root as ParentNode).querySelectorAll("*"))) {
            if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) out += ` ${el.value}`;
            if (el.shadowRoot) out += walk(el.shadowRoot);
          }
          return out;
        };
        return walk(host) + document.documentElement.outerHTML;
      });
      expect(everything).toContain("ops-hook");
      expect(everything).not.toContain(SECRET);
      await panel.scrollIntoViewIfNeeded();
      await screenshot(page, "admin-channels");
      await page.close();
    }, 120_000);

    it("the Summary says in plain words that nothing fires and the objectives have no data yet", async () => {
      // Same browser: still logged in from the test before.
      const page = await browser.context.newPage();
      await page.goto(`${stack.dashboardUrl}/`);
      await page.getByTestId("whoami").waitFor();
      await showView(page, "#/summary");
      const summary = page.locator("pw-summary");
      await expect
        .poll(() => summary.getByTestId("headline").textContent())
        .toMatch(/No alert firing; objectives have no data yet/);
      const objectives = (await summary.getByTestId("slo-now").textContent()) ?? "";
      expect(objectives).toMatch(/CheckoutErrorBudgetBurn\s*99(\.00)? %\s*not measured\s*no data/);
      expect(await summary.getByTestId("no-data-why").textContent()).toMatch(
        /measured only while a run is live/,
      );
      expect(objectives).not.toMatch(/\bmet\b/);
      expect(await summary.getByTestId("latest-run").textContent()).toMatch(
        /No finished load test longer than a minute yet/,
      );
      await screenshot(page, "summary-no-data");
      await page.close();
    }, 120_000);
  });
}

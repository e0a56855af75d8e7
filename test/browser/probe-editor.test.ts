import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ConsoleWatch,
  chromiumInstalled,
  launchBrowser,
  screenshot,
  skipReason,
  type TestBrowser,
} from "../helpers/browser.ts";
import { startTestHub, type TestHub } from "../helpers/hub.ts";

if (!chromiumInstalled) console.log(skipReason);

describe.skipIf(!chromiumInstalled)("Probes view: probes defined on the hub", () => {
  let t: TestHub;
  let browser: TestBrowser;
  beforeAll(async () => {
    t = await startTestHub({ env: { PEAKWATCH_SHOP_URL: "http://127.0.0.1:5599" } });
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it("an ops user adds a probe (a bad one is refused naming the field), pauses and deletes it; the probes poll follows", async () => {
    const ops = await t.loginAs("ops");
    const page = await browser.context.newPage();
    const watch = new ConsoleWatch(page);
    await page.goto(`${t.url}/`);
    await page.getByLabel("Email").fill(ops.email);
    const before = t.mailbox.length;
    await page.getByLabel("Email").press("Enter");
    await expect.poll(() => t.mailbox.length, { timeout: 10_000 }).toBeGreaterThan(before);
    await page.getByLabel("Code").fill(t.mailbox.at(-1)!.code);
    await page.getByLabel("Code").press("Enter");
    await page.getByTestId("whoami").waitFor();

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

    page.once("dialog", (dialog) => void dialog.accept());
    await editor.getByRole("button", { name: "Delete probe edge-home" }).click();
    await editor.getByText("None yet.").waitFor();
    watch.assertClean("probe editor");
  }, 120_000);
});

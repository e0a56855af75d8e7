import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";
const hub = "http://127.0.0.1:4710";
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"] });
const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
const errors = [];
page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
await page.goto(`${hub}/`);
await page.getByLabel("Email").fill("admin@peakwatch.local");
const before = readFileSync("/tmp/ux/up.log", "utf8").length;
await page.getByLabel("Email").press("Enter");
let code;
for (let i = 0; i < 50 && !code; i++) {
  await new Promise((r) => setTimeout(r, 200));
  code = /login code for admin@peakwatch\.local: (\d+)/.exec(readFileSync("/tmp/ux/up.log", "utf8").slice(before))?.[1];
}
await page.getByLabel("Code").fill(code);
await page.getByLabel("Code").press("Enter");
await page.getByTestId("whoami").waitFor();
await page.goto(`${hub}/#/control`);
await new Promise((r) => setTimeout(r, 1500));
// payment_failure 100% -> switch on
const card = page.locator("text=payment_failure").locator("xpath=ancestor::*[contains(@class,'card') or self::section or self::article][1]");
await page.getByRole("button", { name: "Switch on" }).nth(2).click();
await new Promise((r) => setTimeout(r, 1000));
await page.getByLabel("Profile").selectOption("holiday-spike");
await page.getByLabel("Rate scale").fill("0.1");
await page.getByLabel("Duration scale").fill("0.1");
await page.getByRole("button", { name: "Start run" }).click();
await new Promise((r) => setTimeout(r, 3000));
await page.screenshot({ path: `/tmp/ux/shots/control-running.png`, fullPage: true });
await page.goto(`${hub}/#/live`);
await new Promise((r) => setTimeout(r, 30000));
await page.screenshot({ path: `/tmp/ux/shots/live-running.png`, fullPage: true });
await page.goto(`${hub}/#/alerts`);
await new Promise((r) => setTimeout(r, 3000));
await page.screenshot({ path: `/tmp/ux/shots/alerts-running.png`, fullPage: true });
console.log("console errors:", errors);
await browser.close();

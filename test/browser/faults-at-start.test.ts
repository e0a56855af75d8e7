import type { Page } from "playwright-core";
import { expect, it } from "vitest";
import { JOURNEY_STEP } from "../../core/window.ts";
import { screenshot } from "../helpers/browser.ts";
import { makeRunReport, makeWindow } from "../hub/fixtures.ts";
import { apiFromPage, horizontalOverflow, showView } from "./pages.ts";
import { browserDatabase, describeInBrowser, withStack } from "./suite.ts";

const sizes = [
  { name: "laptop", width: 1366, height: 800 },
  { name: "phone", width: 390, height: 844 },
] as const;

/** The "faults on at start" line inside `host` (a view element), with whether it lies in the viewport. */
async function atStartLine(page: Page, host: string) {
  return page.locator(host).evaluate((el) => {
    const line = el.shadowRoot
      ?.querySelector("pw-faults-at-start")
      ?.shadowRoot?.querySelector<HTMLElement>("[data-testid=faults-at-start]");
    if (!line) return null;
    const rect = line.getBoundingClientRect();
    return {
      text: line.textContent?.trim() ?? "",
      inView: rect.left >= 0 && rect.right <= document.documentElement.clientWidth + 1 && rect.width > 0,
    };
  });
}

describeInBrowser("a fault switched on before a run is named on the run's pages", () => {
  const s = withStack(browserDatabase, { logIn: true });

  it("the run page and the Live view say which switch was on at the start, since when and by whom", async () => {
    const { page, server: stack, consoleWatch } = s;
    // Switched on through the hub (recorded), then a run starts under it and ends.
    const on = await apiFromPage(page, "PUT", "/faults/latency", { fixedMs: 150 });
    expect(on.status, JSON.stringify(on.body)).toBe(200);
    const post = async (path: string, body: unknown) => {
      const r = await fetch(`${stack.hubUrl}/api/v1/ingest/${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${stack.agentToken}` },
        body: JSON.stringify(body),
      });
      expect(r.status, await r.text()).toBe(200);
    };
    const runId = "slowed-by-latency";
    const startedAt = Date.now() + 50;
    await new Promise((r) => setTimeout(r, 100));
    await post("runs", makeRunReport(runId, { startedAt }));
    const first = Math.floor(startedAt / 1000);
    await post("windows", {
      windows: Array.from({ length: 10 }, (_, i) =>
        makeWindow(
          { runId, step: JOURNEY_STEP, worker: "w0", second: first + i },
          [152_000, 160_000, 196_000],
        ),
      ),
    });
    await post("runs", makeRunReport(runId, { startedAt, status: "passed", endedAt: startedAt + 10_000 }));

    for (const size of sizes) {
      await page.setViewportSize({ width: size.width, height: size.height });
      for (const [view, host, hash] of [
        ["run-detail", "pw-run-detail", `#/runs/${runId}`],
        ["live", "pw-live-run", `#/live/${runId}`],
      ] as const) {
        await showView(page, hash);
        await expect.poll(() => atStartLine(page, host), { timeout: 15_000 }).not.toBeNull();
        await screenshot(page, `faults-at-start-${size.name}-${view}`);
        const line = (await atStartLine(page, host))!;
        expect(line.text).toMatch(
          new RegExp(
            `^Faults on at start: latency on \\(fixed 150 ms, jitter 0 ms, probability 100 %\\) since .+, by ${stack.adminEmail}$`,
          ),
        );
        expect(line.inView, `${view} at ${size.width} px`).toBe(true);
        const overflow = await horizontalOverflow(page);
        expect(overflow.offenders, `${view} at ${size.width} px`).toEqual([]);
      }
    }
    expect((await apiFromPage(page, "DELETE", "/faults")).status).toBe(200);
    consoleWatch.assertClean("faults at start");
  }, 120_000);
});

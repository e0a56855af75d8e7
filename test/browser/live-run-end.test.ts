import type { Page } from "playwright-core";
import { expect, it } from "vitest";
import { encodeHistogram, newHistogram, recordMicros } from "../../core/histogram.ts";
import { JOURNEY_STEP } from "../../core/names.ts";
import { screenshot } from "../helpers/browser.ts";
import { makeRunReport, makeWindow } from "../hub/fixtures.ts";
import { ingest, logInByMail, showView } from "./pages.ts";
import { describeInBrowser, withHub } from "./suite.ts";

const live = "pw-live-run";

/** The error chart's lines as the view draws them: step → colour variable. */
async function errorLineColors(page: Page): Promise<Record<string, string>> {
  return page
    .locator(`${live} [data-testid="error-chart"]`)
    .evaluate((chart) =>
      Object.fromEntries(
        (chart as HTMLElement & { series: Array<{ label: string; color: string }> }).series.map((s) => [
          s.label,
          s.color,
        ]),
      ),
    );
}

/** The text of a cell of the live per-step table. */
async function stepCell(page: Page, step: string, label: string): Promise<string> {
  return (
    (await page
      .locator(`${live} [data-testid="live-step-table"] tr[data-step="${step}"] td[data-label="${label}"]`)
      .textContent()) ?? ""
  ).trim();
}

/**
 * Records, in the page, every text the two latency tiles show from now on (each render, not only
 * the settled one) with the run's state beside it: `window.tileTexts`, "passed | Request p95 …".
 * A string, not a function: a transpiler's name helpers would not exist in the page.
 */
const recordTiles = `(() => {
  const root = document.querySelector("pw-app").shadowRoot.querySelector("${live}").shadowRoot;
  const seen = new Set();
  window.tileTexts = [];
  const read = () => {
    const state = root.querySelector('[data-testid="run-status"]')?.textContent.trim() ?? "";
    for (const id of ["kpi-request-p95", "kpi-journey-p95"]) {
      const tile = root.querySelector('[data-testid="' + id + '"]');
      const text = state + " | " + (tile ? tile.textContent.replace(/\\s+/g, " ").trim() : "");
      if (!seen.has(text)) window.tileTexts.push(text);
      seen.add(text);
    }
  };
  new MutationObserver(read).observe(root, { subtree: true, childList: true, characterData: true });
  read();
})()`;

describeInBrowser("the live view as a run ends", () => {
  const s = withHub();

  it("keeps its tile figures and line colours until the whole-run figures are in; an idle journey second has no error share", async () => {
    const { page, server: hub, consoleWatch } = s;
    const runId = "ending-a";
    const post = (path: string, body: unknown) => ingest(hub, path, body);
    const startedAt = Date.now() - 10_000;
    const first = Math.floor(startedAt / 1000) + 1;
    await post("runs", makeRunReport(runId, { startedAt }));
    await logInByMail(page, hub, "admin@peakwatch.test");
    // Open from the start, as the user did: its detail is loaded before any request was sent.
    await showView(page, `#/live/${runId}`);
    await page.evaluate(recordTiles);

    // Three busy seconds, each batch with the journey last (as a generator sends them); one
    // checkout in three fails. Then a second where journeys arrive but none completes.
    const key = (step: string, i: number) => ({ runId, step, worker: "w0", second: first + i });
    const failed = newHistogram();
    recordMicros(failed, 900_000);
    await post("windows", {
      windows: [0, 1, 2].flatMap((i) => [
        makeWindow(key("checkout", i), [30_000, 40_000], {
          count: 3,
          errors: { connect: 0, timeout: 0, http4xx: 0, http5xx: 1, assertion: 0 },
          causes: { http_503: { count: 1, message: "Service Unavailable" } },
          failedLatency: encodeHistogram(failed),
        }),
        makeWindow(key("browse", i), [10_000, 12_000, 15_000]),
        makeWindow(key(JOURNEY_STEP, i), [2_000_000, 2_500_000]),
      ]),
    });
    await post("windows", {
      windows: [makeWindow(key(JOURNEY_STEP, 3), [], { targetRate: 2, achievedRate: 2 })],
    });
    await expect.poll(async () => stepCell(page, JOURNEY_STEP, "rate"), { timeout: 15_000 }).toBe("0/s");
    // No journey completed in the latest second: no error share, as the rows without traffic.
    expect(await stepCell(page, JOURNEY_STEP, "errors")).toBe("–");
    expect(await stepCell(page, "checkout", "errors")).toBe("–");
    const during = await errorLineColors(page);
    expect(Object.keys(during).sort()).toEqual(["browse", "checkout", JOURNEY_STEP]);
    expect(new Set(Object.values(during)).size).toBe(3);
    await screenshot(page, "live-run-end-during");

    await post("runs", makeRunReport(runId, { startedAt, status: "passed", endedAt: Date.now() }));
    const requestTile = page.locator(`${live} [data-testid="kpi-request-p95"]`);
    await expect
      .poll(async () => (await requestTile.textContent())?.includes("whole run"), { timeout: 15_000 })
      .toBe(true);
    await showView(page, `#/live/${runId}`);
    await screenshot(page, "live-run-end-after");

    // Every text the tiles showed once the run had ended: a figure each time, never "no request"
    // or "no journey" (what a detail loaded at the start says), then the whole run's.
    const texts = await page.evaluate(() => (window as unknown as { tileTexts: string[] }).tileTexts);
    const ended = texts.filter((t) => !t.startsWith("running"));
    expect(ended.length, texts.join("\n")).toBeGreaterThanOrEqual(2);
    expect(
      ended.filter((t) => /no request|no journey|–/.test(t)),
      texts.join("\n"),
    ).toEqual([]);
    const tile = async (id: string) =>
      ((await page.locator(`${live} [data-testid="${id}"]`).textContent()) ?? "").replace(/\s+/g, " ").trim();
    expect(await tile("kpi-request-p95")).toMatch(/^Request p95 \(all requests, whole run\) \d[\d.]* ms$/);
    expect(await tile("kpi-journey-p95")).toMatch(/^Journey p95 incl\. think time, whole run \d[\d.]* s$/);
    // The reload after the end lists the steps in another order: each keeps its colour.
    expect(await errorLineColors(page)).toEqual(during);
    expect(await stepCell(page, JOURNEY_STEP, "errors")).toBe("–");
    consoleWatch.assertClean("live view as a run ends");
  }, 60_000);
});

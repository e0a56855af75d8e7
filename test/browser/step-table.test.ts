import { join } from "node:path";
import type { Page } from "playwright-core";
import { expect, it } from "vitest";
import { encodeHistogram, newHistogram, recordMicros } from "../../core/histogram.ts";
import { JOURNEY_STEP } from "../../core/names.ts";
import { alertHistory } from "../../db/schema/alerting.ts";
import { screenshot, screenshotDir } from "../helpers/browser.ts";
import { makeRunReport, makeWindow } from "../hub/fixtures.ts";
import { ingest, logInByMail, showView } from "./pages.ts";
import { describeInBrowser, withHub } from "./suite.ts";

const sizes = [
  { name: "laptop", width: 1366, height: 800 },
  { name: "phone", width: 390, height: 844 },
] as const;

/** Steps of a shop journey; `checkout` fails every request (HTTP 503), so it has no latency. */
const steps = ["categories", "products", "product", "search", "cart_add", "otp_request", "checkout"];

/**
 * Every figure of the step table as the reader sees it: its text, the label it is read under
 * (the column header, or the label shown beside it), and whether it lies inside the viewport.
 */
async function figures(page: Page, host = "pw-step-table", table = "table") {
  return page
    .locator(host)
    .first()
    .evaluate((el, selector) => {
      const root = el.shadowRoot!.querySelector(selector);
      if (!root) return [];
      const width = document.documentElement.clientWidth;
      // A run's label (shown when stacked) is not a figure.
      return [...root.querySelectorAll("td:not(.run-label)")].map((td) => {
        const rect = td.getBoundingClientRect();
        const label = getComputedStyle(td, "::before").content;
        return {
          text: td.textContent?.trim() ?? "",
          label: label && label !== "none" ? label.replaceAll('"', "") : "",
          inView: rect.left >= 0 && rect.right <= width + 1 && rect.width > 0,
        };
      });
    }, table);
}

/**
 * Pixels of the first chart of `host` drawn in the colour of the theme variable `color` (give or
 * take anti-aliasing): how much of one series is on screen.
 */
async function seriesPixels(page: Page, host: string, color: string): Promise<number> {
  return page
    .locator(`${host} pw-chart`)
    .first()
    .evaluate((chart, name) => {
      const canvas = chart.shadowRoot!.querySelector("canvas")!;
      const probe = document.createElement("canvas").getContext("2d")!;
      probe.fillStyle = getComputedStyle(chart).getPropertyValue(name).trim();
      const hex = probe.fillStyle as string;
      const want = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
      const { data } = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height);
      let n = 0;
      for (let i = 0; i < data.length; i += 4)
        if (
          Math.abs(data[i]! - want[0]!) +
            Math.abs(data[i + 1]! - want[1]!) +
            Math.abs(data[i + 2]! - want[2]!) <
          60
        )
          n++;
      return n;
    }, color);
}

describeInBrowser("the per-step table at laptop and phone width", () => {
  const s = withHub();

  /** A finished run with every step of a journey, checkout failing throughout. */
  const seedRun = async (runId: string) => {
    const post = async (path: string, body: unknown) => {
      const r = await fetch(`${s.server.url}/api/v1/ingest/${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...s.server.agentHeaders },
        body: JSON.stringify(body),
      });
      expect(r.status, await r.text()).toBe(200);
    };
    const startedAt = Date.now() - 60_000;
    await post("runs", makeRunReport(runId, { startedAt }));
    const second = Math.floor(startedAt / 1000) + 1;
    const failed = newHistogram();
    for (const us of [900_000, 1_200_000]) recordMicros(failed, us);
    await post("windows", {
      windows: [...steps, JOURNEY_STEP].map((step, i) =>
        step === "checkout"
          ? makeWindow({ runId, step, worker: "w0", second }, [], {
              count: 2,
              errors: { connect: 0, timeout: 0, http4xx: 0, http5xx: 2, assertion: 0 },
              causes: { http_503: { count: 2, message: "Service Unavailable" } },
              failedLatency: encodeHistogram(failed),
            })
          : makeWindow({ runId, step, worker: "w0", second }, [1_000 * (i + 1), 25_000 * (i + 1), 1_400_000]),
      ),
    });
    await post("runs", makeRunReport(runId, { startedAt, status: "passed", endedAt: startedAt + 30_000 }));
  };

  it("reads without sideways scrolling at 390 px: every figure in view, under its label, with its unit", async () => {
    const { page, server: hub, consoleWatch } = s;
    await seedRun("steps-a");
    await seedRun("steps-b");
    await logInByMail(page, hub, "admin@peakwatch.test");
    const views = [
      ["run-detail", "#/runs/steps-a"],
      ["compare", "#/compare?a=steps-a&b=steps-b"],
    ] as const;
    for (const size of sizes) {
      await page.setViewportSize({ width: size.width, height: size.height });
      for (const [name, hash] of views) {
        await showView(page, hash);
        await page.locator("pw-step-table").first().waitFor();
        await screenshot(page, `step-table-${size.name}-${name}`);
        await page
          .locator("pw-step-table")
          .first()
          .screenshot({ path: join(screenshotDir, `step-table-${size.name}-${name}-table.png`) });
        const cells = await figures(page);
        expect(cells.length, name).toBeGreaterThan(0);
        const outOfView = cells.filter((c) => !c.inView).map((c) => c.text);
        expect(outOfView, `${name} at ${size.width} px: figures off-screen`).toEqual([]);
        // Every latency figure carries its unit, every error share its %.
        for (const c of cells.filter((c) => /^\d/.test(c.text) && !/^\d+$/.test(c.text)))
          expect(c.text, name).toMatch(/^\d[\d.]* (ms|s|%)$/);
        // The whole journey comes last, named as such: its count is journeys, not requests.
        const rows = await page
          .locator("pw-step-table")
          .first()
          .evaluate((el) =>
            [...el.shadowRoot!.querySelectorAll("tbody th[scope=row]")].map(
              (th) => th.textContent?.trim() ?? "",
            ),
          );
        expect(rows.slice(0, -1), name).toEqual([...steps].sort());
        expect(rows.at(-1), name).toMatch(/^whole journey\s+count is journeys; latency includes think time$/);
        if (size.name === "phone")
          expect(cells.filter((c) => c.label === "journeys").length).toBeGreaterThan(0);
        // A step without latency says why: the cause of its failures.
        expect(cells.map((c) => c.text)).toContain("no successful request: 2 × HTTP 503");
        if (name === "run-detail") {
          // One second of data: its latencies show as dots (a line through one point draws
          // nothing). p50 is the one not hidden under another (p95 = p99 here).
          expect(await seriesPixels(page, "pw-run-detail", "--pw-chart-4"), "p50 dot").toBeGreaterThan(12);
          // The errors-by-cause table beside it: every cell in view, the message whole.
          const causes = await figures(page, "pw-errors-table");
          expect(
            causes.filter((c) => !c.inView).map((c) => c.text),
            `errors at ${size.width} px`,
          ).toEqual([]);
          expect(causes.map((c) => c.text)).toContain("Service Unavailable");
          if (size.name === "phone") expect(causes.every((c) => c.label !== "")).toBe(true);
        }
        if (size.name === "phone") {
          // No header row above the figures any more: each figure names itself.
          const unlabelled = cells.filter((c) => c.label === "").map((c) => c.text);
          expect(unlabelled, `${name} at 390 px: figures without a label`).toEqual([]);
          const checkout = cells.find((c) => c.text.startsWith("no successful request"))!;
          expect(checkout.label).toBe("latency");
        }
      }
    }
    consoleWatch.assertClean("step table at two sizes");
  }, 120_000);

  it("run detail on a phone: thresholds as labelled cards, the latency note names the seconds the line breaks; the finished live view lists alerts from history", async () => {
    const { page, server: hub, consoleWatch } = s;
    const runId = "breaks-a";
    const post = (path: string, body: unknown) => ingest(hub, path, body);
    const startedAt = Date.now() - 60_000;
    const first = Math.floor(startedAt / 1000) + 1;
    await post("runs", makeRunReport(runId, { startedAt }));
    // Journeys complete in seconds 0, 1, 3 and 4; in second 2 both fail at checkout (HTTP 503).
    const failed = newHistogram();
    for (const us of [900_000, 1_200_000]) recordMicros(failed, us);
    const failedWindow = (step: string, second: number) =>
      makeWindow({ runId, step, worker: "w0", second }, [], {
        count: 2,
        errors: { connect: 0, timeout: 0, http4xx: 0, http5xx: 2, assertion: 0 },
        causes: { http_503: { count: 2, message: "Service Unavailable" } },
        failedLatency: encodeHistogram(failed),
      });
    await post("windows", {
      windows: [0, 1, 2, 3, 4].flatMap((i) => [
        i === 2
          ? failedWindow(JOURNEY_STEP, first + i)
          : makeWindow(
              { runId, step: JOURNEY_STEP, worker: "w0", second: first + i },
              [2_000_000, 3_000_000],
            ),
        i === 2
          ? failedWindow("checkout", first + i)
          : makeWindow({ runId, step: "checkout", worker: "w0", second: first + i }, [20_000, 30_000]),
      ]),
    });
    const thresholds = [
      { expression: "p95(checkout) < 1s", ok: true, value: 30, abortOnFail: false },
      { expression: "error_rate < 5%", ok: false, value: 0.2, abortOnFail: true },
    ];
    await post(
      "runs",
      makeRunReport(runId, { startedAt, status: "failed", endedAt: startedAt + 10_000, thresholds }),
    );
    // Logged in by the first test, unless run alone.
    await page.goto(`${hub.url}/`);
    await page.getByTestId("whoami").or(page.getByLabel("Email")).first().waitFor();
    if ((await page.getByTestId("whoami").count()) === 0)
      await logInByMail(page, hub, "admin@peakwatch.test");
    await page.setViewportSize({ width: 390, height: 844 });
    await showView(page, `#/runs/${runId}`);
    const note = page.locator("pw-run-detail pw-chart").first().getByTestId("chart-note");
    await expect.poll(async () => (await note.count()) > 0, { timeout: 15_000 }).toBe(true);
    expect(await note.textContent()).toMatch(
      /^No line in 1 of \d+ seconds: no journey succeeded in them\. Failed in the run: 2 × HTTP 503 \(/,
    );
    await page.locator("pw-run-verdict").getByTestId("thresholds").waitFor();
    await screenshot(page, "run-detail-phone-thresholds");
    const cells = await figures(page, "pw-run-verdict", "table.thresholds");
    expect(cells.length).toBe(2 * 5);
    expect(
      cells.filter((c) => !c.inView).map((c) => c.text),
      "thresholds off-screen at 390 px",
    ).toEqual([]);
    // Each figure names itself; the expression and the pass/fail badge stand alone.
    expect(cells.filter((c) => c.label !== "").map((c) => `${c.label}${c.text}`)).toEqual([
      "Limit: < 1 s",
      "Measured: 30.0 ms",
      "On failure: judged at the end",
      "Limit: < 5.00 %",
      "Measured: 20.00 %",
      "On failure: aborts the run",
    ]);

    // The alert that fired during the run is only in the alert history (as after a hub restart):
    // the live view of the finished run lists it from there, with the value it fired at.
    await hub.database.db.insert(alertHistory).values({
      fingerprint: "fp-breaks",
      rule: "CheckoutErrorRate",
      kind: "firing",
      severity: "critical",
      at: startedAt + 3_000,
      labels: { runId, step: "checkout" },
      value: 0.5,
    });
    await page.setViewportSize({ width: 1366, height: 800 });
    await showView(page, `#/live/${runId}`);
    const incident = page.locator('pw-live-run [data-testid="live-alerts"] [data-testid="incident"]');
    await expect.poll(async () => incident.count(), { timeout: 15_000 }).toBe(1);
    expect(await incident.textContent()).toMatch(/critical\s+CheckoutErrorRate 50(\.0)? % at /);
    expect(await incident.getAttribute("data-run")).toBe(runId);
    // Listed once: the verdict above names it in its text but does not list it again.
    expect(await page.locator('pw-live-run [data-testid="incident"]').count()).toBe(1);
    await screenshot(page, "live-finished-run-alerts");
    consoleWatch.assertClean("run detail with a broken latency line");
  }, 60_000);

  it("the live view's per-step table (latest second) reads at 390 px too", async () => {
    const { page, consoleWatch } = s;
    const table = '[data-testid="live-step-table"]';
    for (const size of sizes) {
      await page.setViewportSize({ width: size.width, height: size.height });
      await showView(page, "#/live/steps-a");
      await expect
        .poll(async () => (await figures(page, "pw-live-run", table)).length, { timeout: 15_000 })
        .toBeGreaterThan(steps.length);
      await screenshot(page, `step-table-${size.name}-live`);
      const cells = await figures(page, "pw-live-run", table);
      expect(
        cells.filter((c) => !c.inView).map((c) => c.text),
        `live at ${size.width} px`,
      ).toEqual([]);
      expect(cells.find((c) => c.text.startsWith("no successful request"))?.text).toMatch(/HTTP 503/);
      if (size.name === "phone")
        expect(
          cells.filter((c) => c.label === "").map((c) => c.text),
          "live at 390 px: unlabelled",
        ).toEqual([]);
    }
    await page.setViewportSize({ width: 1366, height: 800 });
    consoleWatch.assertClean("live step table at two sizes");
  }, 60_000);
});

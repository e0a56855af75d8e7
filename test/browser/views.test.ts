import type { Page } from "playwright-core";
import { beforeAll, expect, it } from "vitest";
import type { Alert } from "../../core/alert.ts";
import { type ConsoleWatch, screenshot } from "../helpers/browser.ts";
import {
  apiFromPage,
  horizontalOverflow,
  liveCharts,
  logIn,
  midWordBreaks,
  showView,
  unreachableTableCells,
} from "./pages.ts";
import type { Stack } from "./stack.ts";
import { describeInBrowser, withStack } from "./suite.ts";

const FINAL = ["passed", "failed", "aborted", "error"];

interface RunBody {
  runId: string;
  status: string;
  startedAt: number;
  endedAt?: number;
}

/** Sizes every view is checked and photographed at. */
const sizes = [
  { name: "laptop", width: 1366, height: 800 },
  { name: "phone", width: 390, height: 844 },
] as const;

/** One pass on PGlite: what is under test is the dashboard, not the hub's storage. */
describeInBrowser("dashboard views: runs apart, layout", () => {
  const s = withStack("pglite", { logIn: true });
  let stack: Stack;
  let page: Page;
  let consoleWatch: ConsoleWatch;
  beforeAll(() => {
    ({ server: stack, page, consoleWatch } = s);
  });
  const runIds: string[] = [];

  const run = async (id: string) =>
    (await apiFromPage(page, "GET", `/runs/${encodeURIComponent(id)}`)).body.run as RunBody;
  const start = async (rateScale: number, durationScale: number) => {
    const started = await apiFromPage(page, "POST", "/runs", {
      profile: "smoke",
      target: stack.shopUrl,
      rateScale,
      durationScale,
    });
    expect(started.status).toBe(201);
    runIds.push(started.body.run.runId);
    return started.body.run as RunBody;
  };
  const finished = async (id: string, timeoutMs: number) => {
    await expect
      .poll(async () => (await run(id)).status, { timeout: timeoutMs, interval: 500 })
      .toMatch(new RegExp(`^(${FINAL.join("|")})$`));
    return run(id);
  };
  const alertsOf = async (id: string) =>
    ((await apiFromPage(page, "GET", "/alerts")).body.alerts as Alert[]).filter((a) => a.labels.runId === id);

  it("run B started with the Live page open gets new charts: no second, marker or alert of run A", async () => {
    // The Live page with no run id follows the newest run.
    await showView(page, "#/live");

    // Run A, with payment failures switched on by hand while it runs: an alert fires for A and
    // its charts carry a hand-made fault marker.
    const a = await start(3, 1);
    await expect.poll(async () => (await liveCharts(page)).heading, { timeout: 30_000 }).toContain(a.runId);
    await expect
      .poll(async () => (await liveCharts(page)).charts.find((c) => c.id === "rate-chart")?.xs.length ?? 0, {
        timeout: 45_000,
      })
      .toBeGreaterThanOrEqual(5);
    // Flipped once A's generator runs (its startedAt is when it began sending), pushed live.
    expect((await apiFromPage(page, "PUT", "/faults/payment_failure", { percentage: 100 })).status).toBe(200);
    await expect
      .poll(async () => (await liveCharts(page)).charts.flatMap((c) => c.markers.map((m) => m.label)), {
        timeout: 20_000,
      })
      .toContain("payment_failure on (by hand)");
    await screenshot(page, "runs-apart-a-live");
    await expect
      .poll(async () => (await alertsOf(a.runId)).length, { timeout: 90_000, interval: 1000 })
      .toBeGreaterThan(0);
    const doneA = await finished(a.runId, 90_000);
    expect((await apiFromPage(page, "DELETE", "/faults/payment_failure")).status).toBe(200);

    // Run B starts while the page still shows A, two clock seconds after A's last: a fast machine
    // notices A's end within its second, and B's first second must come after A's.
    const bFrom = (Math.floor(doneA.endedAt! / 1000) + 2) * 1000;
    await new Promise((r) => setTimeout(r, Math.max(0, bFrom - Date.now())));
    const b = await start(1, 0.4);
    const firstSecondOfB = Math.floor(b.startedAt / 1000) - 1;
    // Precondition: A's seconds all come before B's, so any x before B's start is a point of A.
    expect(doneA.endedAt! / 1000).toBeLessThan(firstSecondOfB);
    await expect.poll(async () => (await liveCharts(page)).heading, { timeout: 30_000 }).toContain(b.runId);

    let most = 0;
    const deadline = Date.now() + 90_000;
    for (;;) {
      const view = await liveCharts(page);
      if (!view.heading.includes(b.runId)) throw new Error(`the live view left run B: ${view.heading}`);
      for (const chart of view.charts) {
        const early = chart.xs.filter((x) => x < firstSecondOfB);
        expect(early, `${chart.id}: seconds before run B started`).toEqual([]);
        const markers = chart.markers.filter((m) => m.at < firstSecondOfB);
        expect(markers, `${chart.id}: markers before run B started`).toEqual([]);
        most = Math.max(most, chart.xs.length);
      }
      // While B runs: its own alerts and those of no run, never A's.
      expect(view.alertRuns.filter((r) => r !== b.runId && r !== "")).toEqual([]);
      if (FINAL.includes((await run(b.runId)).status) || Date.now() > deadline) break;
      await page.waitForTimeout(500);
    }
    expect(most, "run B's charts filled while it ran").toBeGreaterThanOrEqual(5);
    await finished(b.runId, 30_000);
    await screenshot(page, "runs-apart-b-live");

    // Finished: B's page lists only B's alerts, although the engine still holds A's.
    expect((await alertsOf(a.runId)).length).toBeGreaterThan(0);
    await page.waitForTimeout(1000);
    expect((await liveCharts(page)).alertRuns.filter((r) => r !== b.runId)).toEqual([]);
    // …and A's own page lists A's.
    await showView(page, `#/live/${encodeURIComponent(a.runId)}`);
    await expect.poll(async () => (await liveCharts(page)).alertRuns, { timeout: 10_000 }).toContain(a.runId);
    expect((await liveCharts(page)).alertRuns.every((r) => r === a.runId)).toBe(true);
    await screenshot(page, "runs-apart-a-finished");
    consoleWatch.assertClean("live view across two runs");
  }, 300_000);

  it("no view scrolls sideways at 390 × 844 and every table column is in reach; every view photographed at laptop and phone size", async () => {
    while (runIds.length < 2) await finished((await start(1, 0.3)).runId, 60_000);
    const [a, b] = runIds as [string, string];
    // A probe in an outage, reported before the Probes page is open: what it shows comes over REST.
    const now = Date.now();
    const ingest = await fetch(`${stack.hubUrl}/api/v1/ingest/probe-results`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.agentToken}`, "content-type": "application/json" },
      body: JSON.stringify({
        results: [0, 1, 2, 3, 4].map((i) => ({
          id: crypto.randomUUID(),
          probe: "shop-home",
          kind: "http",
          region: "local",
          target: `${stack.shopUrl}/`,
          startedAt: now - (5 - i) * 10_000,
          ok: i < 2,
          state: i < 2 ? "up" : "down",
          status: i < 2 ? 200 : 503,
          ...(i < 2 ? {} : { message: "expected status 200, got 503" }),
          phases: { dns: 0, connect: 0.4, tls: 0, firstByte: 3 + i, transfer: 0.3, total: 3.7 + i },
        })),
      }),
    });
    expect(ingest.status).toBe(200);
    // A probe defined on the hub: its row (target URL, three buttons) is wider than a phone.
    const defined = await apiFromPage(page, "POST", "/probes/definitions", {
      probe: { name: "shop-health-hourly", kind: "http", url: `${stack.shopUrl}/healthz`, interval: "1h" },
    });
    expect(defined.status).toBe(201);
    // Admin rows with long unbroken names: a token (its creator's email beside it) and a backup file.
    const token = await apiFromPage(page, "POST", "/agent-tokens", { name: "ci-nightly-checkout-loadtest" });
    expect(token.status).toBe(201);
    expect((await apiFromPage(page, "POST", "/backups")).status).toBe(201);

    const views: Array<[string, string]> = [
      ["summary", "#/summary"],
      ["live", `#/live/${encodeURIComponent(a)}`],
      ["control", "#/control"],
      ["history", "#/runs"],
      ["run-detail", `#/runs/${encodeURIComponent(a)}`],
      ["compare", `#/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`],
      ["probes", "#/probes"],
      ["alerts", "#/alerts"],
      ["admin", "#/admin"],
    ];
    const overflowing: string[] = [];
    const unreachable: string[] = [];
    const brokenNames: string[] = [];
    const check = async (size: (typeof sizes)[number], name: string) => {
      // Charts size themselves on a ResizeObserver callback, delivered before the next frame is
      // drawn: two frames later every chart has its size.
      await page.evaluate(
        () => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))),
      );
      let o = await horizontalOverflow(page);
      if (size.name === "phone") {
        // A loaded machine may lay out late: only a view still wider than the phone after 2 s counts.
        for (const until = Date.now() + 2000; o.scrollWidth > o.clientWidth && Date.now() < until; ) {
          await page.waitForTimeout(100);
          o = await horizontalOverflow(page);
        }
        if (o.scrollWidth > o.clientWidth)
          overflowing.push(
            `${name}: scrollWidth ${o.scrollWidth} > ${o.clientWidth} (${o.offenders.join(", ")})`,
          );
        // Every column of every table within reach: on screen, or in the table's own scroller.
        unreachable.push(...(await unreachableTableCells(page)).map((p) => `${name}: ${p}`));
      }
      // Long rule names wrap between their words, never inside one; a figure keeps its unit.
      if (name === "summary") {
        brokenNames.push(...(await midWordBreaks(page, "td.objective")).map((b) => `${size.name}: ${b}`));
        const split = await page
          .locator("pw-summary .figure")
          .evaluateAll((els) => els.filter((e) => e.getClientRects().length > 1).map((e) => e.textContent));
        brokenNames.push(...split.map((f) => `${size.name}: figure over two lines: ${f}`));
        // Each objective's status badge in full view, not cut off at its table's scroller edge.
        const hidden = await page.locator("pw-summary table .badge").evaluateAll((badges) =>
          badges.flatMap((badge) => {
            const box = badge.getBoundingClientRect();
            const scroller = badge.closest("pw-table-scroll")?.getBoundingClientRect();
            const inView = scroller
              ? box.left >= scroller.left - 0.5 && box.right <= scroller.right + 0.5
              : box.right <= window.innerWidth;
            return inView ? [] : [`status badge "${badge.textContent?.trim()}" cut off`];
          }),
        );
        brokenNames.push(...hidden.map((h) => `${size.name}: ${h}`));
      }
      // Emails and file names wrap after "@", "." or "-", never inside a word ("peakwatc|h.local").
      if (name === "admin") {
        for (const table of ["users-table", "agent-tokens-table", "backups-table"]) {
          const cells = `[data-testid=${table}] td`;
          expect(await page.locator(cells).count(), `${table} has rows`).toBeGreaterThan(0);
          brokenNames.push(...(await midWordBreaks(page, cells)).map((b) => `${size.name}: ${table}: ${b}`));
        }
      }
      await screenshot(page, `layout-${size.name}-${name}`);
    };

    // The login form, logged out.
    await page.getByRole("button", { name: "Log out" }).click();
    await page.getByRole("heading", { name: "Log in to Peakwatch" }).waitFor();
    for (const size of sizes) {
      await page.setViewportSize({ width: size.width, height: size.height });
      await check(size, "login");
    }
    await page.setViewportSize({ width: 1366, height: 800 });
    await logIn(page, stack, stack.adminEmail);

    for (const size of sizes) {
      await page.setViewportSize({ width: size.width, height: size.height });
      for (const [name, hash] of views) {
        await showView(page, hash);
        // The view's own content rendered (shadow roots included), not just the shell.
        expect(await page.locator("main h1").first().textContent()).not.toBe("");
        await check(size, name);
      }
    }
    // At 390 px the defined probe's row scrolls in its own box: a shadow says more lies to the right;
    // scrolled to its end, the row's last button is on screen and the shadow moves to the left.
    await showView(page, "#/probes");
    const box = page.getByRole("region", { name: "Probes defined on the hub (scrolls sideways)" });
    expect(await box.getAttribute("more-right")).not.toBeNull();
    expect(await box.getAttribute("more-left")).toBeNull();
    await box.evaluate((el) => el.scrollTo({ left: el.scrollWidth }));
    await expect.poll(() => box.getAttribute("more-left")).not.toBeNull();
    expect(await box.getAttribute("more-right")).toBeNull();
    const last = await page.getByRole("button", { name: "Delete probe shop-health-hourly" }).boundingBox();
    expect(last!.x + last!.width).toBeLessThanOrEqual(390);
    await screenshot(page, "layout-phone-probes-scrolled");

    expect(overflowing, "views that scroll sideways at 390 px").toEqual([]);
    expect(unreachable, "table columns out of reach at 390 px").toEqual([]);
    expect(
      brokenNames,
      "objective names, emails and file names broken mid-word, figures split from their units, status badges cut off",
    ).toEqual([]);
    consoleWatch.assertClean("every view at two sizes");
  }, 240_000);

  it("the Probes page shows an outage's failures from the hub's history on open", async () => {
    await showView(page, "#/probes");
    const row = page.locator('article[data-probe="shop-home"]');
    await row.getByText("expected status 200, got 503").first().waitFor({ timeout: 10_000 });
    expect(await row.locator(".badge").first().textContent()).toBe("down");
    expect(await row.getByText("expected status 200, got 503").count()).toBe(3);
  });

  it("the Probes page shows a phase the check never had (no TLS for http://, no DNS for an IP) as not applicable, not 0 ms", async () => {
    await showView(page, "#/probes");
    const legend = page.locator('article[data-probe="shop-home"] pw-phase-bar .legend');
    // The probe's target is http://127.0.0.1:…/: plain http to an IP literal.
    expect(await legend.getByTitle("no TLS: http://").textContent()).toBe("TLS –");
    expect(await legend.getByTitle("no DNS lookup: IP address").textContent()).toBe("DNS –");
    // Phases that happened keep their figure, a zero one included.
    expect(await legend.textContent()).toContain("connect 0.40 ms");
    expect(await legend.textContent()).not.toMatch(/(^|\s)0\.00 ms/);
  });

  it("fault switches: parameters edited in Control, failing_product on with a picked product, stale errors cleared", async () => {
    await page.setViewportSize({ width: 1366, height: 800 });
    await showView(page, "#/control");
    const card = page.locator('article[data-fault="failing_product"]');
    const select = card.getByRole("combobox", { name: "failing_product Product" });
    await expect.poll(() => select.locator("option").count(), { timeout: 10_000 }).toBeGreaterThan(1);
    const productId = await select.locator("option").nth(2).getAttribute("value");
    await select.selectOption(productId!);
    await card.getByRole("spinbutton", { name: "failing_product HTTP status" }).fill("503");
    await card.getByRole("button", { name: "Switch on failing_product" }).click();
    await card.getByText("failing_product switched on.").waitFor();
    await expect.poll(() => card.getByTestId("fault-state").textContent()).toBe("on");
    expect((await fetch(`${stack.shopUrl}/api/products/${productId}`)).status).toBe(503);

    // A bad value is named and nothing is sent; the next good attempt clears the error.
    const latency = page.locator('article[data-fault="latency"]');
    await latency.getByRole("spinbutton", { name: "latency Latency (ms)" }).fill("-5");
    await latency.getByRole("button", { name: "Switch on latency" }).click();
    await latency.getByText("Latency: a number from 0 to 60000 ms").waitFor();
    await latency.getByRole("spinbutton", { name: "latency Latency (ms)" }).fill("35");
    await latency.getByRole("spinbutton", { name: "latency Share (%)" }).fill("50");
    await latency.getByRole("button", { name: "Switch on latency" }).click();
    await latency.getByText("latency switched on.").waitFor();
    expect(await latency.getByText("Latency: a number").count()).toBe(0);
    expect(await latency.getByTestId("fault-params").textContent()).toContain("Latency 35 ms");
    expect(await latency.getByTestId("fault-params").textContent()).toContain("Share 50 %");
    await screenshot(page, "faults-edited");

    for (const name of ["latency", "failing_product"]) {
      await page.getByRole("button", { name: `Switch off ${name}` }).click();
      await page.locator(`article[data-fault="${name}"]`).getByText(`${name} switched off.`).waitFor();
    }
    expect((await fetch(`${stack.shopUrl}/api/products/${productId}`)).status).toBe(200);
    // Both changes were by hand: the hub keeps them for the charts' markers.
    const changes = (await apiFromPage(page, "GET", `/faults/changes?from=${Date.now() - 120_000}`)).body
      .changes as Array<{ fault: string; action: string }>;
    expect(changes.filter((c) => c.fault === "failing_product").map((c) => c.action)).toEqual([
      "set",
      "clear",
    ]);
    consoleWatch.assertClean("fault switches");
  }, 60_000);

  it("Compare shows per-step deltas with direction and a noise verdict", async () => {
    const [a, b] = runIds as [string, string];
    await showView(page, `#/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`);
    const journey = page.getByTestId("delta-table").locator('section[data-step="journey"]');
    for (const metric of ["p50", "p95", "p99", "errorRate", "throughput"]) {
      const row = journey.locator(`tr[data-metric="${metric}"]`);
      expect(await row.getAttribute("data-direction")).toMatch(/better|worse|same/);
      expect(await row.getAttribute("data-exceeds-noise")).toMatch(/true|false/);
    }
    // Run A ran at three times B's rate: its throughput drop is far beyond the noise.
    const throughput = journey.locator('tr[data-metric="throughput"]');
    expect(await throughput.getAttribute("data-direction")).toBe("worse");
    expect(await throughput.getAttribute("data-exceeds-noise")).toBe("true");
    expect(await throughput.locator("td").nth(2).textContent()).toMatch(/−[\d.]+\/s/);
    // The other steps' windows load after the page has drawn; every verdict arrives.
    await expect
      .poll(() => page.locator('[data-testid="delta-table"] tr[data-exceeds-noise="pending"]').count(), {
        timeout: 60_000,
      })
      .toBe(0);
    expect(await page.locator('[data-testid="delta-table"] section').count()).toBeGreaterThan(3);
    // Each run's verdict reads as on its own page: thresholds and alerts together. Run A's alerts
    // fired while it ran, so it may not read a plain "Passed" here.
    for (const [i, id] of [a, b].entries()) {
      const verdict = (await apiFromPage(page, "GET", `/runs/${encodeURIComponent(id)}/verdict`)).body;
      const badge = page.getByTestId("verdict-state").nth(i);
      expect(await badge.getAttribute("data-state"), id).toBe(verdict.state);
      if (id === a) expect(verdict.state).not.toBe("passed");
    }
    await screenshot(page, "compare-verdicts");
  });
});

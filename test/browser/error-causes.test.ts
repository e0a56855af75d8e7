import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, type ExpectStatic, expect, it } from "vitest";
import type { RunDetail } from "../../core/api/runs.ts";
import type { RunSummary } from "../../loadgen/outputs/summary.ts";
import { chromiumInstalled, screenshot, skipReason } from "../helpers/browser.ts";
import { apiFromPage } from "./pages.ts";
import type { Stack } from "./stack.ts";
import { browserDatabase, withStack } from "./suite.ts";

const bin = join(import.meta.dirname, "../../bin/peakwatch.js");

if (!chromiumInstalled) {
  console.warn(skipReason);
  describe("error causes in a real browser", () => it.skip(skipReason!, () => {}));
}

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The one step of a CLI run's journey. */
interface Step {
  name: string;
  path: string;
  expectStatus?: number[];
}

/** The hub's API from inside the page (session cookie, CSRF token), its body typed by the caller. */
async function api<T>(page: Page, method: string, path: string, body?: unknown) {
  return (await apiFromPage(page, method, path, body)) as { status: number; body: T };
}

// One database (browserDatabase): the causes travel the same path on both, and the hub's storage has its own tests on each.
for (const kind of chromiumInstalled ? [browserDatabase] : []) {
  describe(`[${kind}] error causes from the generator to the browser`, () => {
    const s = withStack(kind, { logIn: true });
    let stack: Stack;
    let page: Page;
    let dir: string;

    beforeAll(async () => {
      ({ server: stack, page } = s);
      dir = await mkdtemp(join(tmpdir(), "pw-causes-"));
    });

    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    /** Switches a shop fault on (params) or off (undefined) through the shop's admin API. */
    async function fault(name: string, params: object | undefined): Promise<void> {
      const response = await fetch(`${stack.shopUrl}/admin/faults/${name}`, {
        method: params ? "PUT" : "DELETE",
        headers: { authorization: `Bearer ${stack.shopAdminToken}`, "content-type": "application/json" },
        body: params ? JSON.stringify(params) : undefined,
      });
      expect(response.status, await response.text()).toBeLessThan(300);
    }

    /** Runs `peakwatch run` on a one-step profile reporting to the hub; returns where it writes and what it prints. */
    async function cliRun(name: string, step: Step, target: string, timeout = "5s") {
      const runId = `causes-${name}-${Date.now().toString(36)}`;
      const profile = join(dir, `${name}.json`);
      await writeFile(
        profile,
        JSON.stringify({
          name,
          stages: [{ duration: "4s", rate: 3 }],
          journeys: [{ name: "hit", steps: [step] }],
          executor: { timeout },
          thresholds: ["error_rate < 1%"],
        }),
      );
      const out = join(dir, name);
      const child = spawn(
        process.execPath,
        [
          bin,
          "run",
          profile,
          ...["--target", target, "--hub", stack.hubUrl, "--token", stack.agentToken],
          ...["--run-id", runId, "--out", out, "--quiet"],
        ],
        {
          env: {
            ...process.env,
            PEAKWATCH_DATA_DIR: dir,
            PEAKWATCH_SHOP_URL: "",
            PEAKWATCH_ALLOWED_TARGETS: "",
            NO_COLOR: "1",
          },
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      let stdout = "";
      child.stdout.on("data", (d) => {
        stdout += d;
      });
      child.stderr.on("data", (d) => {
        stdout += d;
      });
      const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
      return { runId, out, exited, output: () => stdout };
    }

    /**
     * Runs `step` with the CLI, its Live page open (a page of its own) from the run's start, and
     * checks that every request failed for `cause`: in summary.json, the command's output, the
     * hub's run detail and the page's errors table.
     */
    async function expectCause(
      expect: ExpectStatic,
      c: { name: string; step: Step; target: string; cause: string; label: RegExp; timeout?: string },
    ) {
      const page = await s.browser.context.newPage();
      try {
        const run = await cliRun(c.name, c.step, c.target, c.timeout);
        await page.goto(`${stack.dashboardUrl}/#/live/${encodeURIComponent(run.runId)}`);
        const code = await run.exited;
        expect(code, run.output()).toBe(1);
        const summary = JSON.parse(await readFile(join(run.out, "summary.json"), "utf8")) as RunSummary;
        const step = c.step.name;
        const requests = summary.steps[step]!.requests;
        expect(requests, run.output()).toBeGreaterThanOrEqual(8);
        // Every request failed, and for this one reason.
        expect(summary.causes.map((x) => [x.step, x.cause, x.count])).toEqual([[step, c.cause, requests]]);
        expect(summary.steps[step]!.causes[c.cause]!.count).toBe(requests);
        expect(run.output()).toMatch(c.label);

        const detail = await api<RunDetail>(page, "GET", `/runs/${encodeURIComponent(run.runId)}`);
        expect(detail.status).toBe(200);
        expect(detail.body.steps[step]!.causes[c.cause]?.count).toBe(requests);
        expect(detail.body.steps[step]!.count).toBe(requests);

        const row = page.locator(`pw-errors-table tr[data-step="${step}"][data-cause="${c.cause}"]`);
        await expect
          .poll(async () => (await row.count()) > 0 && (await row.getByTestId("count").textContent()), {
            timeout: 20_000,
          })
          .toBe(String(requests));
        expect(await row.textContent()).toMatch(c.label);
        expect(await row.textContent()).toContain("100.00 %");
        await screenshot(page, `${kind}-errors-${c.name}`);
      } finally {
        await page.close();
      }
    }

    // The four runs go on side by side, each on a route of its own, so one's fault never reaches another.
    it.concurrent("a closed port shows as connection refused", async ({ expect }) => {
      await expectCause(expect, {
        name: "refused",
        step: { name: "products", path: "/api/products" },
        target: `http://127.0.0.1:${await closedPort()}`,
        cause: "refused",
        label: /connection refused/,
      });
    }, 90_000);

    it.concurrent("a 503 fault shows as HTTP 503", async ({ expect }) => {
      await fault("errors", { rate: 1, status: 503, routes: ["/api/products"] });
      try {
        await expectCause(expect, {
          name: "http503",
          step: { name: "products", path: "/api/products" },
          target: stack.shopUrl,
          cause: "http_503",
          label: /HTTP 503/,
        });
      } finally {
        await fault("errors", undefined);
      }
    }, 90_000);

    it.concurrent("a latency fault past the timeout shows as a first-byte timeout", async ({ expect }) => {
      await fault("latency", { fixedMs: 2500, routes: ["/api/categories"] });
      try {
        await expectCause(expect, {
          name: "timeout",
          step: { name: "categories", path: "/api/categories" },
          target: stack.shopUrl,
          cause: "timeout_first_byte",
          label: /timeout waiting for the first byte/,
          timeout: "1s",
        });
      } finally {
        await fault("latency", undefined);
      }
    }, 90_000);

    it.concurrent("a failing assertion shows with its name", async ({ expect }) => {
      await expectCause(expect, {
        name: "assertion",
        step: { name: "search", path: "/api/search?q=a", expectStatus: [201] },
        target: stack.shopUrl,
        cause: "assertion:expect_status",
        label: /assertion failed: expect_status/,
      });
    }, 90_000);

    it("during a payment failure the Errors tile is above 0 and agrees with the hub's error share for the same seconds", async () => {
      await fault("payment_failure", { percentage: 100 });
      try {
        const started = await api<{ run: { runId: string } }>(page, "POST", "/runs", {
          profile: "smoke",
          target: stack.shopUrl,
          rateScale: 2,
          durationScale: 0.6,
        });
        expect(started.status).toBe(201);
        const id = started.body.run.runId;
        await page.goto(`${stack.dashboardUrl}/#/live/${encodeURIComponent(id)}`);
        const tile = page.getByTestId("kpi-errors");
        const status = page.getByTestId("run-status");
        // While the run goes on: the tile's share over its seconds against the hub's over the same seconds.
        const compared: Array<[number, number]> = [];
        const deadline = Date.now() + 60_000;
        while (Date.now() < deadline && compared.length < 3) {
          if (/passed|failed|aborted|error/.test((await status.textContent()) ?? "")) break;
          // In one read: a second arriving between two reads would pair a share with other seconds.
          const [share, from, to] = (await tile.evaluate((el) =>
            ["data-share", "data-from", "data-to"].map((a) => Number(el.getAttribute(a) || "0")),
          )) as [number, number, number];
          if (share > 0 && to > from) {
            // Per second (resolution 1): failed and all requests, summed over the tile's seconds.
            const sum = async (stat: string) => {
              const r = await api<{ points: Array<[number, number]> }>(
                page,
                "GET",
                `/runs/${encodeURIComponent(id)}/series?stat=${stat}&from=${from}&to=${to}&resolution=1`,
              );
              return r.body.points.reduce((n, [, v]) => n + v, 0);
            };
            const [errors, requests] = await Promise.all([sum("errors"), sum("rate")]);
            expect(requests).toBeGreaterThan(0);
            compared.push([share, errors / requests]);
          }
          await page.waitForTimeout(1000);
        }
        expect(compared.length, "the tile showed errors while the run went on").toBeGreaterThan(0);
        for (const [tileShare, hubShare] of compared)
          expect(Math.abs(tileShare - hubShare)).toBeLessThanOrEqual(0.01);
        await screenshot(page, `${kind}-errors-tile-live`);

        // Once finished, the page reloads the run's totals and the tile covers the whole run: it
        // agrees with the hub's error share of the run and with what run detail shows.
        await status.filter({ hasText: /passed|failed|aborted/ }).waitFor({ timeout: 90_000 });
        const detail = await api<RunDetail>(page, "GET", `/runs/${encodeURIComponent(id)}`);
        const hubShare = detail.body.requests.errorRate;
        expect(hubShare).toBeGreaterThan(0);
        const tileShare = async () => Number((await tile.getAttribute("data-share")) || "NaN");
        await expect
          .poll(async () => Math.abs((await tileShare()) - hubShare), { timeout: 30_000 })
          .toBeLessThanOrEqual(0.01);
        const finalTile = await tileShare();
        expect(await tile.textContent()).toMatch(/\d+\.\d\d %/);
        await page.goto(`${stack.dashboardUrl}/#/runs/${encodeURIComponent(id)}`);
        const detailShare = page.getByTestId("detail-error-share");
        await detailShare.waitFor();
        const shown = Number(await detailShare.getAttribute("data-share"));
        expect(shown).toBe(hubShare);
        expect(Math.abs(finalTile - shown)).toBeLessThanOrEqual(0.01);
        const row = page.locator('pw-errors-table tr[data-step="checkout"][data-cause="http_402"]');
        await row.waitFor();
        await screenshot(page, `${kind}-errors-run-detail`);
      } finally {
        await fault("payment_failure", undefined);
      }
    }, 180_000);
  });
}

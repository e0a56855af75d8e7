import { randomUUID } from "node:crypto";
import type { Page, WebSocketRoute } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { AlertEvent } from "../../core/alert.ts";
import { type ConsoleWatch, chromiumInstalled, screenshot, skipReason } from "../helpers/browser.ts";
import { apiFromPage, logIn } from "./pages.ts";
import type { Stack } from "./stack.ts";
import { browserDatabase, withStack } from "./suite.ts";

/** Chrome logs refused requests as console errors; these are the ones a step expects. */
const FORBIDDEN = /status of 403/;
const HUB_DOWN =
  /api\/v1\/(live|auth|alerts|runs|faults|summary|probes)|ERR_CONNECTION_REFUSED|status of 50[234]/;

if (!chromiumInstalled) {
  console.warn(skipReason);
  describe("dashboard in a real browser", () => it.skip(skipReason!, () => {}));
}

/** Follows the hub's alert events as an agent would, to know when the hub emitted each one. */
class AlertTap {
  readonly events: Array<AlertEvent & { receivedAt: number }> = [];
  private ws: WebSocket | undefined;

  async open(stack: Stack): Promise<void> {
    this.ws = new WebSocket(`${stack.hubUrl.replace("http", "ws")}/api/v1/live`, {
      headers: { authorization: `Bearer ${stack.agentToken}` },
    });
    await new Promise<void>((resolve, reject) => {
      this.ws!.once("open", () => resolve());
      this.ws!.once("error", reject);
    });
    this.ws.on("message", (data) => {
      const message = JSON.parse(String(data)) as { type: string; event?: AlertEvent };
      if (message.type === "alert" && message.event)
        this.events.push({ ...message.event, receivedAt: Date.now() });
    });
    this.ws.send(JSON.stringify({ type: "subscribe", topics: ["alerts"], lastAlertSeq: this.lastSeq() }));
  }

  lastSeq(): number | undefined {
    return this.events.at(-1)?.seq;
  }

  /** The first firing event that `matches`, waiting up to `timeoutMs`. */
  async firing(matches: (e: AlertEvent) => boolean, timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const hit = this.events.find((e) => e.kind === "firing" && matches(e));
      if (hit) return hit;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(
      `no matching firing alert within ${timeoutMs} ms; saw ${JSON.stringify(this.events.map((e) => [e.seq, e.kind, e.alert.rule]))}`,
    );
  }

  close(): void {
    this.ws?.terminate();
  }
}

const kinds = chromiumInstalled ? [browserDatabase] : [];

for (const kind of kinds) {
  describe(`[${kind}] dashboard in a real browser`, () => {
    const tap = new AlertTap();
    /** While true the page's live socket is refused, as if the network were down. */
    let liveBlocked = false;
    let currentLive: WebSocketRoute | undefined;
    const liveFramesSent: string[] = [];
    const liveFramesReceived: string[] = [];
    const runIds: string[] = [];

    const s = withStack(kind, { ready: ({ page }) => routeLive(page) });
    let stack: Stack;
    let page: Page;
    let consoleWatch: ConsoleWatch;
    beforeAll(async () => {
      ({ server: stack, page, consoleWatch } = s);
      await tap.open(stack);
    });
    afterAll(() => tap.close());

    /** Relays the page's live socket through the test, which records its frames and can refuse it. */
    async function routeLive(page: Page): Promise<void> {
      await page.routeWebSocket(/\/api\/v1\/live$/, (ws) => {
        if (liveBlocked) {
          void ws.close({ code: 1001, reason: "blocked by the test" }).catch(() => {});
          return;
        }
        currentLive = ws;
        const server = ws.connectToServer();
        ws.onMessage((message) => {
          liveFramesSent.push(String(message));
          server.send(message);
        });
        server.onMessage((message) => {
          liveFramesReceived.push(String(message).slice(0, 300));
          ws.send(message);
        });
      });
    }

    async function startRun(profile: string, rateScale: number, durationScale: number): Promise<string> {
      await page.getByRole("link", { name: "Control" }).click();
      const form = page.getByTestId("start-form");
      await form.getByLabel("Profile").selectOption(profile);
      await form.getByLabel("Target URL").fill(stack.shopUrl);
      await form.getByLabel("Rate scale").fill(String(rateScale));
      await form.getByLabel("Duration scale").fill(String(durationScale));
      await form.getByRole("button", { name: "Start run" }).click();
      await page.waitForURL(/#\/live\/.+/);
      const id = decodeURIComponent(new URL(page.url()).hash.replace("#/live/", ""));
      runIds.push(id);
      return id;
    }

    it("logs in with OTP, starts smoke, watches the live chart update, sees the verdict", async () => {
      await page.goto(`${stack.dashboardUrl}/`);
      await page.getByLabel("Email").waitFor();
      consoleWatch.assertClean("login");
      await screenshot(page, `${kind}-login`);
      await logIn(page, stack, stack.adminEmail);
      await screenshot(page, `${kind}-summary`);

      await page.getByRole("link", { name: "Control" }).click();
      await page
        .getByTestId("start-form")
        .getByLabel("Profile")
        .locator("option", { hasText: "smoke" })
        .waitFor({ state: "attached" });
      await screenshot(page, `${kind}-control`);
      await startRun("smoke", 1, 0.4);

      // Count distinct point counts of the rate chart while the run is live: each is a new second.
      const chart = page.getByTestId("rate-chart");
      const seen = new Set<string>();
      const deadline = Date.now() + 45_000;
      while (seen.size < 6 && Date.now() < deadline) {
        const points = await chart.getAttribute("data-points");
        if (points && points !== "0") seen.add(points);
        await page.waitForTimeout(250);
      }
      expect(seen.size, `chart point counts seen: ${[...seen].join(", ")}`).toBeGreaterThanOrEqual(6);

      const verdict = page.getByTestId("verdict");
      await verdict.waitFor({ timeout: 60_000 });
      // The thresholds with the alerts of the run, as on the run's page (not "not known").
      await verdict.getByTestId("combined-verdict").waitFor({ timeout: 10_000 });
      expect(await verdict.getByTestId("combined-verdict").textContent()).toMatch(
        /^Thresholds (passed|failed)/,
      );
      expect(await page.getByTestId("run-status").textContent()).toMatch(/passed|failed/);
      await screenshot(page, `${kind}-live-run`);
      consoleWatch.assertClean("login, control and live run");
    }, 150_000);

    it("shows the payment alert within 3 s of the hub emitting it, and who acknowledged it", async () => {
      await page.getByRole("link", { name: "Control" }).click();
      await page.getByRole("button", { name: "Switch on payment_failure" }).click();
      await page.getByRole("button", { name: "Switch off payment_failure" }).waitFor();
      const runId = await startRun("smoke", 3, 1);
      await page.getByRole("link", { name: "Alerts" }).click();

      const event = await tap.firing((e) => e.alert.labels.runId === runId, 90_000);
      // The payment fault fails every checkout of the run: a checkout alert fires for it.
      expect(event.alert.labels.step).toBe("checkout");
      const row = page.locator(`tr[data-fingerprint="${event.alert.fingerprint}"][data-state="firing"]`);
      await Promise.all([
        row.waitFor({ timeout: 3000 }),
        page
          .getByTestId("alert-notice")
          .filter({ hasText: event.alert.rule })
          .first()
          .waitFor({ timeout: 3000 }),
      ]);
      const delay = Date.now() - event.receivedAt;
      expect(delay).toBeLessThanOrEqual(3000);
      // Its value carries the rule's unit (an error share, a latency, a burn rate), not a bare number.
      expect((await row.getByTestId("alert-value").textContent())?.trim()).toMatch(
        /^value [\d.]+ (%|ms)$|× budget$/,
      );
      await screenshot(page, `${kind}-alert-firing`);

      await row.getByRole("button", { name: `Acknowledge ${event.alert.rule}` }).click();
      await expect
        .poll(async () => row.getByTestId("acknowledged-by").textContent(), { timeout: 5000 })
        .toContain(stack.adminEmail);
      // Silence it for a chosen duration: the hub mutes its notifications, the row stays.
      await row
        .getByRole("combobox", { name: `Silence ${event.alert.rule} for` })
        .selectOption({ label: "4 hours" });
      await row.getByRole("button", { name: `Silence ${event.alert.rule}` }).click();
      // The message names the alert by its labels, and the Silences panel lists what is muted.
      const silenced = page.getByRole("status").filter({ hasText: `Silenced ${event.alert.rule} (` });
      await silenced.waitFor({ timeout: 5000 });
      expect(await silenced.textContent()).toContain(`runId=${runId}`);
      const silences = await apiFromPage(page, "GET", "/silences");
      expect(JSON.stringify(silences.body)).toContain(runId);
      const silenceRow = page.getByTestId("silences").locator("tr[data-silence]").filter({ hasText: runId });
      await silenceRow.waitFor({ timeout: 5000 });
      // The rules panel words each rule's condition with its unit.
      const ruleRow = page.getByTestId("rules").locator(`tr[data-rule="${event.alert.rule}"]`);
      await ruleRow.waitFor({ timeout: 5000 });
      expect(await ruleRow.textContent()).toMatch(/over \d+ (s|min|h)|burning faster than/);
      await screenshot(page, `${kind}-alerts`);
      // Unsilence ends it early: gone from the panel, and the hub holds no silence in force for it.
      await silenceRow.getByRole("button", { name: /^Unsilence / }).click();
      await page.getByText("its alerts notify again").waitFor({ timeout: 5000 });
      await expect.poll(() => silenceRow.count(), { timeout: 5000 }).toBe(0);
      const after = await apiFromPage(page, "GET", "/silences");
      expect(JSON.stringify(after.body)).not.toContain(runId);
      consoleWatch.assertClean("alerts");
    }, 150_000);

    it("reconnects after the hub is killed and restarted, and shows the alerts that fired meanwhile", async () => {
      const seqBefore = tap.lastSeq();
      expect(seqBefore).toBeDefined();
      consoleWatch.allow(HUB_DOWN);
      // Cut the dashboard's live socket (as a flaky network would) and keep it cut.
      liveBlocked = true;
      await currentLive?.close({ code: 1001, reason: "cut by the test" });
      await page.getByText("Connection to the hub lost, reconnecting").waitFor({ timeout: 10_000 });
      await screenshot(page, `${kind}-reconnecting`);

      // Meanwhile a run under the payment fault fires a new alert that the dashboard cannot see…
      const started = await apiFromPage(page, "POST", "/runs", {
        profile: "smoke",
        target: stack.shopUrl,
        rateScale: 3,
        durationScale: 1,
      });
      expect(started.status).toBe(201);
      const runId: string = started.body.run.runId;
      runIds.push(runId);
      const missed = await tap.firing((e) => e.alert.labels.runId === runId, 90_000);
      expect(missed.seq).toBeGreaterThan(seqBefore!);

      // The alert is in the hub's history (stored just after it is pushed) before the crash.
      const deadline = Date.now() + 15_000;
      while (!JSON.stringify((await apiFromPage(page, "GET", "/alerts/history")).body).includes(runId)) {
        if (Date.now() > deadline) throw new Error(`alert of ${runId} never reached the history`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }

      // …and then the hub dies (SIGKILL, with the run it started) and comes back.
      tap.close();
      await stack.killHub();
      await stack.startHub();

      const framesBefore = liveFramesSent.length;
      liveBlocked = false;
      // Only a replayed live event raises a notice: this one proves the resume by seq.
      await page
        .getByTestId("alert-notice")
        .filter({ hasText: runId })
        .first()
        .waitFor({ timeout: 15_000 })
        .catch((error) => {
          throw new Error(
            `${error}\nmissed seq ${missed.seq}; frames sent: ${liveFramesSent.slice(framesBefore).join(" | ")}\nreceived: ${liveFramesReceived.slice(-10).join(" | ")}`,
          );
        });
      // The run is named once: by the summary when it names it, else on a line of its own.
      const noticeText = await page
        .getByTestId("alert-notice")
        .filter({ hasText: runId })
        .first()
        .textContent();
      expect(noticeText!.split(runId).length - 1, noticeText!).toBe(1);
      const resubscribe = liveFramesSent
        .slice(framesBefore)
        .map((f) => JSON.parse(f) as { type: string; lastAlertSeq?: number })
        .find((f) => f.type === "subscribe" && f.lastAlertSeq !== undefined);
      expect(resubscribe?.lastAlertSeq).toBeGreaterThanOrEqual(seqBefore!);
      expect(resubscribe!.lastAlertSeq!).toBeLessThan(missed.seq);
      await page.getByText("Connection to the hub lost, reconnecting").waitFor({ state: "detached" });
      // The alert history (from the hub's database) lists it too.
      const historyRow = page.locator("pw-alert-history tr", { hasText: runId }).first();
      await historyRow.waitFor({ timeout: 5000 });
      // With what it measured, in the rule's unit, as in the list of alerts above it.
      expect(await historyRow.getByTestId("history-value").textContent()).toMatch(
        /^value -?[\d.]+\s?(%|ms|s|×)/,
      );
      await screenshot(page, `${kind}-after-restart`);
      consoleWatch.disallow();
      consoleWatch.assertClean("hub restart (refused connections while it was down excepted)");
      await tap.open(stack);
      expect((await apiFromPage(page, "DELETE", "/faults/payment_failure")).status).toBe(200);
    }, 200_000);

    it("renders every view, light and dark, without console errors", async () => {
      const [a, b] = runIds;
      const views: Array<[string, string]> = [
        ["summary", "#/summary"],
        ["live", `#/live/${a}`],
        ["control", "#/control"],
        ["history", "#/runs"],
        ["run-detail", `#/runs/${a}`],
        ["compare", `#/compare?a=${a}&b=${b}`],
        ["probes", "#/probes"],
        ["alerts", "#/alerts"],
        ["admin", "#/admin"],
      ];
      // Probe results as the probes process reports them, so the probes view has rows.
      const now = Date.now();
      const result = (i: number, ok: boolean) => ({
        id: randomUUID(),
        probe: "shop-home",
        kind: "http",
        region: "local",
        target: `${stack.shopUrl}/`,
        startedAt: now - (5 - i) * 10_000,
        ok,
        state: ok ? "up" : "down",
        status: ok ? 200 : 503,
        ...(ok ? {} : { message: "expected status 200, got 503" }),
        phases: { dns: 0, connect: 0.4, tls: 0, firstByte: 3 + i, transfer: 0.3, total: 3.7 + i },
      });
      const ingest = await fetch(`${stack.hubUrl}/api/v1/ingest/probe-results`, {
        method: "POST",
        headers: { authorization: `Bearer ${stack.agentToken}`, "content-type": "application/json" },
        body: JSON.stringify({ results: [0, 1, 2, 3, 4].map((i) => result(i, i !== 2)) }),
      });
      expect(ingest.status).toBe(200);

      // Notices from the earlier alerts would cover the views: dismiss them by keyboard.
      const dismiss = page.getByRole("button", { name: /^Dismiss notice/ });
      while ((await dismiss.count()) > 0) {
        await dismiss.first().focus();
        await page.keyboard.press("Enter");
      }
      // The first Tab reaches "Skip to content", which moves focus to the view.
      await page.goto(`${stack.dashboardUrl}/#/summary`);
      await page.reload();
      await page.getByTestId("whoami").waitFor();
      await page.keyboard.press("Tab");
      const focused = () =>
        page.evaluate(() => {
          let el = document.activeElement;
          while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
          return el ? `${el.tagName.toLowerCase()}:${el.textContent?.trim().slice(0, 30) ?? ""}` : "";
        });
      expect(await focused()).toBe("a:Skip to content");
      await page.keyboard.press("Enter");
      expect(await focused()).toMatch(/^main:/);

      for (const theme of ["light", "dark"] as const) {
        if (theme === "dark") {
          await page.getByRole("button", { name: "Switch to dark theme" }).click();
          expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
        }
        // Every view in the light theme; the dark theme on the views with charts and tables.
        const shown =
          theme === "light" ? views : views.filter(([name]) => ["summary", "live", "alerts"].includes(name));
        for (const [name, hash] of shown) {
          await page.evaluate((h) => {
            location.hash = h;
          }, hash);
          await page.locator("main h1").first().waitFor();
          // Settled: no element is loading (ApiTask marks its host aria-busy while it fetches).
          await expect.poll(() => page.locator("[aria-busy=true]").count(), { timeout: 10_000 }).toBe(0);
          await expect(page.getByText("Loading…").count()).resolves.toBe(0);
          await screenshot(page, `${kind}-${theme}-${name}`);
          consoleWatch.assertClean(`${name} (${theme})`);
          if (name === "run-detail" && theme === "light") {
            // The three report downloads answer with their formats.
            for (const [label, type] of [
              ["JSON report", "application/json"],
              ["JUnit XML", "xml"],
              ["HTML report", "text/html"],
            ] as const) {
              const href = await page.getByRole("link", { name: label }).getAttribute("href");
              const response = await page.request.get(new URL(href!, page.url()).toString());
              expect(response.status(), label).toBe(200);
              expect(response.headers()["content-type"], label).toContain(type);
            }
          }
        }
      }
      await page.getByRole("button", { name: "Switch to light theme" }).click();
      // A mistyped address says so above the Summary; #/history, as the navigation names it, is the run list.
      await page.evaluate(() => {
        location.hash = "#/nowhere";
      });
      await expect
        .poll(() => page.getByTestId("unknown-route").textContent())
        .toContain("No page at #/nowhere; showing the Summary.");
      await page.evaluate(() => {
        location.hash = "#/history";
      });
      await page.locator("pw-history").waitFor();
      expect(await page.getByTestId("unknown-route").count()).toBe(0);
    }, 120_000);

    it("a viewer sees no start or fault controls, and the API refuses them anyway", async () => {
      await page.goto(`${stack.dashboardUrl}/#/admin`);
      const users = page.getByTestId("users-table");
      await users.waitFor();
      // Admin → Projects has an Email and a Role field too: use the Users form's.
      const addUser = page.locator("form", { has: page.getByRole("button", { name: "Add user" }) });
      await addUser.getByLabel("Email", { exact: true }).fill("viewer@peakwatch.test");
      await addUser.getByRole("combobox", { name: "Role", exact: true }).selectOption("viewer");
      await addUser.getByRole("button", { name: "Add user" }).click();
      await users.getByRole("cell", { name: "viewer@peakwatch.test", exact: true }).waitFor();
      await page.getByRole("button", { name: "Log out" }).click();
      // (Not the Email field: the admin view has one too, and leaving before the logout
      // answered would race it.)
      await page.getByRole("heading", { name: "Log in to Peakwatch" }).waitFor();

      await logIn(page, stack, "viewer@peakwatch.test");
      await page.getByRole("link", { name: "Control" }).click();
      await page.getByTestId("no-control").waitFor();
      await page.getByTestId("faults-table").waitFor();
      expect(await page.getByRole("button", { name: "Start run" }).count()).toBe(0);
      expect(await page.getByRole("button", { name: /^Switch (on|off)/ }).count()).toBe(0);
      expect(await page.getByRole("link", { name: "Admin" }).count()).toBe(0);
      await screenshot(page, `${kind}-viewer-control`);
      consoleWatch.assertClean("viewer control");

      consoleWatch.allow(FORBIDDEN);
      const start = await apiFromPage(page, "POST", "/runs", { profile: "smoke", target: stack.shopUrl });
      const fault = await apiFromPage(page, "PUT", "/faults/payment_failure", { enabled: true });
      const stop = await apiFromPage(page, "POST", `/runs/${encodeURIComponent(runIds[0]!)}/stop`);
      expect([start.status, fault.status, stop.status]).toEqual([403, 403, 403]);
      consoleWatch.disallow();
    }, 90_000);
  });
}

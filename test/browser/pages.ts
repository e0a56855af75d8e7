import type { Page } from "playwright-core";
import { expect } from "vitest";
import { PROJECT_HEADER } from "../../core/names.ts";
import type { TestHub } from "../helpers/hub.ts";
import type { Stack } from "./stack.ts";

/** Logs in through the form with the one-time code the hub prints. */
export async function logIn(page: Page, stack: Stack, email: string): Promise<void> {
  await page.goto(`${stack.dashboardUrl}/`);
  await page.getByLabel("Email").fill(email);
  const from = stack.hub().output().length;
  await page.getByLabel("Email").press("Enter");
  const code = await stack.loginCode(email, from);
  await page.getByLabel("Code").fill(code);
  await page.getByLabel("Code").press("Enter");
  await page.getByTestId("whoami").waitFor();
  expect(await page.getByTestId("whoami").textContent()).toContain(email);
}

/**
 * Logs in through the form with the code an in-process test hub "mailed" (test/helpers/hub.ts);
 * the user must exist.
 */
export async function logInByMail(page: Page, hub: TestHub, email: string): Promise<void> {
  await page.goto(`${hub.url}/`);
  await page.getByLabel("Email").fill(email);
  const mailed = hub.mailbox.length;
  await page.getByLabel("Email").press("Enter");
  await expect.poll(() => hub.mailbox.length, { timeout: 10_000 }).toBeGreaterThan(mailed);
  await page.getByLabel("Code").fill(hub.mailbox.at(-1)!.code);
  await page.getByLabel("Code").press("Enter");
  await page.getByTestId("whoami").waitFor();
  expect(await page.getByTestId("whoami").textContent()).toContain(email);
}

/**
 * Forgets the page's session and chosen project, as a browser that never visited: the page
 * leaves the dashboard first (so no app code reacts meanwhile), then the origin's storage and
 * cookies are cleared through the DevTools protocol.
 */
export async function forgetSession(page: Page, baseUrl: string): Promise<void> {
  await page.goto("about:blank");
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Storage.clearDataForOrigin", {
    origin: new URL(baseUrl).origin,
    storageTypes: "local_storage,cookies",
  });
  await cdp.detach();
  await page.context().clearCookies();
}

/**
 * Calls the hub's API from inside the page, with the page's session cookie and CSRF token;
 * `project` (a slug) goes in the project header, as the dashboard sends it.
 */
export async function apiFromPage(
  page: Page,
  method: string,
  path: string,
  body?: unknown,
  project?: string,
) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (project) headers[PROJECT_HEADER] = project;
  return page.evaluate(
    async ([method, path, body, headers]) => {
      const me = await fetch("/api/v1/auth/me").then((r) => r.json());
      const response = await fetch(`/api/v1${path}`, {
        method,
        headers: { ...headers, "x-csrf-token": me.csrfToken },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: await response.json().catch(() => null) };
    },
    [method, path, body, headers] as const,
  );
}

/** Shows a view by its hash and waits until it has rendered and nothing is loading. */
/** POSTs to the hub's ingest API (`runs`, `windows`, …) with its agent token; fails the test unless 200. */
export async function ingest(hub: TestHub, path: string, body: unknown): Promise<void> {
  const r = await fetch(`${hub.url}/api/v1/ingest/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...hub.agentHeaders },
    body: JSON.stringify(body),
  });
  expect(r.status, await r.text()).toBe(200);
}

export async function showView(page: Page, hash: string): Promise<void> {
  await page.evaluate((h) => {
    location.hash = h;
  }, hash);
  await page.locator("main h1").first().waitFor();
  // Settled: no element is loading (ApiTask marks its host aria-busy while it fetches).
  const deadline = Date.now() + 15_000;
  while ((await page.locator("[aria-busy=true]").count()) > 0) {
    if (Date.now() > deadline) throw new Error(`${hash} still loading after 15 s`);
    await page.waitForTimeout(100);
  }
}

/** What the live view draws: the run in its heading, and each chart's x values and markers. */
export interface LiveCharts {
  heading: string;
  charts: Array<{ id: string; xs: number[]; markers: Array<{ at: number; label: string }> }>;
  alertRuns: string[];
}

export async function liveCharts(page: Page): Promise<LiveCharts> {
  return page.evaluate(() => {
    const live = document.querySelector("pw-app")?.shadowRoot?.querySelector("pw-live-run");
    const root = live?.shadowRoot;
    type Chart = HTMLElement & { data: number[][]; markers: Array<{ at: number; label: string }> };
    const charts = [...(root?.querySelectorAll<Chart>("pw-chart") ?? [])];
    return {
      heading: root?.querySelector("h1")?.textContent ?? "",
      charts: charts.map((c) => ({
        id: c.dataset.testid ?? "",
        xs: [...(c.data[0] ?? [])],
        markers: c.markers.map((m) => ({ at: m.at, label: m.label })),
      })),
      alertRuns: [...(root?.querySelectorAll<HTMLElement>("[data-testid=live-alerts] li") ?? [])].map(
        (li) => li.dataset.run ?? "",
      ),
    };
  });
}

/**
 * Whether the page scrolls sideways, and which elements (through every shadow root) reach past
 * the viewport's right edge, to say what to fix.
 */
export async function horizontalOverflow(
  page: Page,
): Promise<{ scrollWidth: number; clientWidth: number; offenders: string[] }> {
  // A string, not a function: a transpiler's name helpers would not exist in the page.
  return page.evaluate(`(() => {
    const scroller = document.scrollingElement;
    const width = scroller.clientWidth;
    const offenders = [];
    const stack = [document];
    while (stack.length > 0) {
      const root = stack.pop();
      for (const el of root.querySelectorAll("*")) {
        const rect = el.getBoundingClientRect();
        if (rect.width > 0 && rect.right > width + 1 && offenders.length < 15) {
          const cls = typeof el.className === "string" && el.className ? "." + el.className.split(" ")[0] : "";
          offenders.push(el.tagName.toLowerCase() + cls + " right=" + Math.round(rect.right));
        }
        if (el.shadowRoot) stack.push(el.shadowRoot);
      }
    }
    return { scrollWidth: scroller.scrollWidth, clientWidth: width, offenders };
  })()`);
}

/**
 * Table cells a phone user cannot reach: a cell past the viewport's edge counts as reachable only
 * inside a scroll container of its table's own (holding that table alone, so headings and buttons
 * stay put), which reaches the cell, takes keyboard focus and shows a scroll cue (a gradient at
 * its edge). One line per offending table, to say what to fix.
 */
export async function unreachableTableCells(page: Page): Promise<string[]> {
  // A string, not a function: a transpiler's name helpers would not exist in the page.
  return page.evaluate(`(() => {
    const width = document.scrollingElement.clientWidth;
    const parentOf = (el) => el.assignedSlot ?? el.parentElement ?? el.getRootNode().host ?? null;
    const scrollerOf = (el) => {
      for (let p = parentOf(el); p; p = parentOf(p)) {
        const o = getComputedStyle(p).overflowX;
        if (o === "auto" || o === "scroll") return p;
        if (o === "hidden" || o === "clip") return p;
      }
      return null;
    };
    const name = (el) => {
      const id = el.getAttribute("data-testid");
      const host = el.getRootNode().host;
      return (host ? host.tagName.toLowerCase() + " " : "") + (id ? "table[data-testid=" + id + "]" : "table");
    };
    const problems = [];
    const stack = [document];
    while (stack.length > 0) {
      const root = stack.pop();
      for (const el of root.querySelectorAll("*")) if (el.shadowRoot) stack.push(el.shadowRoot);
      for (const table of root.querySelectorAll("table")) {
        const cells = [...table.querySelectorAll("th, td")].filter((c) => {
          const r = c.getBoundingClientRect();
          return r.width > 0 && r.height > 0;
        });
        const past = cells.filter((c) => c.getBoundingClientRect().right > width + 1);
        if (past.length === 0) continue;
        const what = name(table) + " (" + past.length + " cells past " + width + " px)";
        const scroller = scrollerOf(table);
        if (!scroller) { problems.push(what + ": no scroll container"); continue; }
        const s = getComputedStyle(scroller);
        if (s.overflowX === "hidden" || s.overflowX === "clip") { problems.push(what + ": clipped"); continue; }
        const box = scroller.getBoundingClientRect();
        const reach = box.left + scroller.clientLeft + scroller.scrollWidth - scroller.scrollLeft;
        if (past.some((c) => c.getBoundingClientRect().right > reach + 1))
          problems.push(what + ": beyond its container's scroll");
        const others = [...scroller.children].filter((c) => c !== table && c.getBoundingClientRect().height > 0);
        if (others.length > 0)
          problems.push(what + ": scrolls with " + others.map((c) => c.tagName.toLowerCase()).join(", "));
        if (scroller.tabIndex < 0 || !scroller.hasAttribute("tabindex"))
          problems.push(what + ": its scroll container takes no keyboard focus");
        if (!s.backgroundImage.includes("gradient")) problems.push(what + ": no scroll cue");
      }
    }
    return problems;
  })()`);
}

/**
 * Lines of the text in the cells matching `selector` (any shadow root) that end inside a word: the
 * places where a name was broken mid-word, as "cell text: …|…". Letters on both sides of a line
 * break, the second lower-case, count as one word ("Checkou|tError"); a break before a capital or
 * after "_" is a word boundary.
 */
export async function midWordBreaks(page: Page, selector: string): Promise<string[]> {
  // A string, not a function: a transpiler's name helpers would not exist in the page.
  return page.evaluate(`(() => {
    const found = [];
    const stack = [document];
    while (stack.length > 0) {
      const root = stack.pop();
      for (const el of root.querySelectorAll("*")) if (el.shadowRoot) stack.push(el.shadowRoot);
      for (const cell of root.querySelectorAll(${JSON.stringify(selector)})) {
        const chars = [];
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode())
          for (let i = 0; i < node.length; i++) {
            const range = document.createRange();
            range.setStart(node, i);
            range.setEnd(node, i + 1);
            chars.push({ c: node.data[i], top: range.getBoundingClientRect().top });
          }
        const text = chars.map((x) => x.c).join("");
        for (let i = 1; i < chars.length; i++) {
          if (chars[i].top <= chars[i - 1].top + 2) continue;
          if (/[A-Za-z0-9]/.test(chars[i - 1].c) && /[a-z0-9]/.test(chars[i].c))
            found.push(text + ": " + text.slice(0, i) + "|" + text.slice(i));
        }
      }
    }
    return found;
  })()`);
}

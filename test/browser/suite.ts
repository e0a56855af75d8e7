import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, it } from "vitest";
import {
  ConsoleWatch,
  chromiumInstalled,
  launchBrowser,
  skipReason,
  type TestBrowser,
} from "../helpers/browser.ts";
import { databaseKinds } from "../helpers/db.ts";
import { startTestHub, type TestHub, type TestHubOptions } from "../helpers/hub.ts";
import { logIn } from "./pages.ts";
import { ensureDashboardBuilt, type Stack, startStack } from "./stack.ts";

/**
 * A browser test file's `describe`: the real one when chromium is installed, otherwise one
 * skipped test that says why (a skip is never silent).
 */
export function describeInBrowser(name: string, body: () => void): void {
  if (chromiumInstalled) describe(name, body);
  else {
    console.warn(skipReason);
    describe(name, () => it.skip(skipReason!, () => {}));
  }
}

/**
 * The database a browser test's hub runs on. The browser drives the hub, and the hub's storage is
 * tested on both databases by its own tests; one full pass per browser file keeps the suite's wall
 * time modest: Postgres when TEST_DATABASE_URL is set (CI), PGlite otherwise.
 */
export const browserDatabase: "pglite" | "postgres" = databaseKinds.includes("postgres")
  ? "postgres"
  : "pglite";

/** What a browser test file shares, filled in by its beforeAll. */
export interface InBrowser<T> {
  /** The stack (processes) or in-process hub under test. */
  server: T;
  browser: TestBrowser;
  /** One page for the file, watched for console errors. */
  page: Page;
  consoleWatch: ConsoleWatch;
}

/**
 * Registers beforeAll/afterAll that start `server` and chromium side by side, open one watched
 * page and run `ready` (a login, say), and close both after the file. Read the fields inside tests.
 */
function inBrowser<T extends { close(): Promise<void> }>(
  start: () => Promise<T>,
  ready?: (s: InBrowser<T>) => Promise<void>,
): InBrowser<T> {
  const s = {} as InBrowser<T>;
  beforeAll(async () => {
    [s.server, s.browser] = await Promise.all([start(), launchBrowser()]);
    s.page = await s.browser.context.newPage();
    s.consoleWatch = new ConsoleWatch(s.page);
    await ready?.(s);
  }, 180_000);
  afterAll(async () => {
    await s.browser?.close();
    await s.server?.close();
  }, 60_000);
  return s;
}

/**
 * A shop and a hub as `peakwatch` processes (test/browser/stack.ts) and chromium; `ready` runs
 * once both are up, then `logIn` logs the instance admin in.
 */
export function withStack(
  kind: "pglite" | "postgres",
  options: { logIn?: boolean; ready?: (s: InBrowser<Stack>) => Promise<void> } = {},
): InBrowser<Stack> {
  return inBrowser(
    () => startStack(kind),
    async (s) => {
      await options.ready?.(s);
      if (options.logIn) await logIn(s.page, s.server, s.server.adminEmail);
    },
  );
}

/**
 * An in-process hub (test/helpers/hub.ts, no shop) serving the built dashboard, and chromium;
 * `ready` runs once both are up (to seed data, say).
 */
export function withHub(
  options: TestHubOptions = {},
  ready?: (s: InBrowser<TestHub>) => Promise<void>,
): InBrowser<TestHub> {
  return inBrowser(async () => {
    await ensureDashboardBuilt();
    return startTestHub(options);
  }, ready);
}

import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BrowserContext, chromium, type Page } from "playwright-core";

/** Debian's chromium (CI installs it); PEAKWATCH_CHROMIUM points elsewhere. */
export const chromiumPath = process.env.PEAKWATCH_CHROMIUM ?? "/usr/bin/chromium";
export const chromiumInstalled = existsSync(chromiumPath);
/** Why browser tests are skipped, printed so a skip is never silent. */
export const skipReason = chromiumInstalled
  ? undefined
  : `browser tests skipped: no chromium at ${chromiumPath} (apt-get install -y chromium, or set PEAKWATCH_CHROMIUM)`;

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
export const screenshotDir = join(repoRoot, "test-results", "screenshots");

/** Flags for a quiet, deterministic headless chromium that talks to nothing but loopback. */
const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
];

export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launches chromium with a fresh user-data dir (one per test file: share it across tests). */
export async function launchBrowser(): Promise<TestBrowser> {
  const userDataDir = await mkdtemp(join(tmpdir(), "pw-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args: chromiumArgs,
    viewport: { width: 1366, height: 800 }, // a laptop screen
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Collects console errors and uncaught page errors. `allow` lists messages a test expects
 * (a 401 before login, a refused socket while the hub is down); anything else fails `assertClean`.
 */
export class ConsoleWatch {
  readonly errors: string[] = [];
  private allowed: RegExp[] = [];

  constructor(page: Page) {
    page.on("console", (message) => {
      if (message.type() === "error") this.record(`console: ${message.text()} (${message.location().url})`);
    });
    page.on("pageerror", (error) => this.record(`pageerror: ${error.message}`));
  }

  /** Tolerates messages matching `pattern` from now on, until `disallow()`. */
  allow(...patterns: RegExp[]): void {
    this.allowed.push(...patterns);
  }

  disallow(): void {
    this.allowed = [];
  }

  /** Throws listing every unexpected error since the last call. */
  assertClean(where: string): void {
    const errors = this.errors.splice(0);
    if (errors.length > 0) throw new Error(`console errors on ${where}:\n${errors.join("\n")}`);
  }

  private record(text: string): void {
    if (!this.allowed.some((re) => re.test(text))) this.errors.push(text);
  }
}

/** Saves a full-page screenshot as test-results/screenshots/<name>.png (a CI artifact). */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

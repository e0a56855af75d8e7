import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { main as buildDashboard } from "../../bin/build-dashboard.ts";
import { freePort } from "../../bin/up/ports.ts";
import { componentDomains } from "../../db/domains.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/db.ts";
import { seedPgliteDataDir } from "../helpers/db-template.ts";
import { type PeakwatchProcess, startPeakwatch } from "../helpers/up.ts";

const dashboard = fileURLToPath(new URL("../../dashboard/", import.meta.url));
const built = join(dashboard, "dist", "index.html");

/** Newest modification time under `dir` (files only), in ms. */
async function newest(dir: string): Promise<number> {
  let latest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) latest = Math.max(latest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
  }
  return latest;
}

/** Builds the dashboard when dist is missing or older than its sources, so tests see the code under test. */
export async function ensureDashboardBuilt(): Promise<void> {
  if (existsSync(built)) {
    const sources = Math.max(
      await newest(join(dashboard, "src")),
      (await stat(join(dashboard, "index.html"))).mtimeMs,
      (await stat(join(dashboard, "vite.config.ts"))).mtimeMs,
    );
    if ((await stat(built)).mtimeMs >= sources) return;
  }
  await buildDashboard([]);
}

async function waitHealthy(url: string, proc: PeakwatchProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not become healthy in ${timeoutMs} ms; output:\n${proc.output()}`);
}

async function servesDashboard(hubUrl: string): Promise<boolean> {
  const response = await fetch(`${hubUrl}/`).catch(() => undefined);
  return Boolean(response?.ok && response.headers.get("content-type")?.includes("text/html"));
}

/** Ends a peakwatch process and everything it started (its process group). */
async function kill(proc: PeakwatchProcess, signal: NodeJS.Signals): Promise<void> {
  if (proc.proc.exitCode !== null || proc.proc.signalCode !== null) return;
  try {
    process.kill(-proc.proc.pid!, signal);
  } catch {
    // already gone
  }
  await Promise.race([proc.exited, new Promise((r) => setTimeout(r, 10_000))]);
}

/**
 * The real thing for browser tests: a shop and a hub as separate `peakwatch` processes on
 * loopback, with the built dashboard served by the hub. The hub can be killed (SIGKILL, with
 * the load runs it started) and restarted on the same port and database.
 */
export interface Stack {
  hubUrl: string;
  /** Where the browser opens the dashboard: the hub serves dashboard/dist at /. */
  dashboardUrl: string;
  shopUrl: string;
  adminEmail: string;
  agentToken: string;
  shopAdminToken: string;
  hub(): PeakwatchProcess;
  /** Resolves with the login code the hub prints for `email` after output offset `from`. */
  loginCode(email: string, from: number): Promise<string>;
  killHub(): Promise<void>;
  startHub(): Promise<void>;
  close(): Promise<void>;
}

export async function startStack(kind: "pglite" | "postgres"): Promise<Stack> {
  await ensureDashboardBuilt();
  const dataDir = await mkdtemp(join(tmpdir(), "pw-browser-"));
  const databases: TestDatabase[] = [];
  let hubDbUrl: string | undefined;
  let shopDbUrl: string | undefined;
  if (kind === "postgres") {
    const hubDb = await createTestDatabase("postgres", componentDomains.hub);
    const shopDb = await createTestDatabase("postgres", ["shop"]);
    databases.push(hubDb, shopDb);
    hubDbUrl = hubDb.url;
    shopDbUrl = shopDb.url;
  } else {
    // Migrated copies: the stack is up in seconds, not after two initdbs (not a first-start test).
    await Promise.all([seedPgliteDataDir(dataDir, "hub"), seedPgliteDataDir(dataDir, "shop")]);
  }
  const [hubPort, shopPort] = [await freePort(), await freePort()];
  const secret = () => randomBytes(16).toString("hex");
  const shopAdminToken = secret();
  const agentToken = secret();
  const hubUrl = `http://127.0.0.1:${hubPort}`;
  const shopUrl = `http://127.0.0.1:${shopPort}`;
  const adminEmail = "admin@peakwatch.test";
  // The hub passes its environment on to the load runs it starts, which read OTP mail through
  // the shop's test hooks and log in as seeded customers: both processes get those settings.
  const common = {
    PEAKWATCH_DATA_DIR: dataDir,
    PEAKWATCH_HOST: "127.0.0.1",
    SHOP_ADMIN_TOKEN: shopAdminToken,
    SHOP_TEST_HOOKS_TOKEN: secret(),
    // A small seed starts the shop fast; load runs pick customers from the same range.
    SHOP_SEED_PRODUCTS: "200",
    SHOP_SEED_CUSTOMERS: "200",
  };

  const shop = startPeakwatch(["shop"], {
    ...common,
    PEAKWATCH_SHOP_PORT: String(shopPort),
    SHOP_TRUST_PROXY: "1",
    ...(shopDbUrl ? { SHOP_DATABASE_URL: shopDbUrl } : {}),
  });
  const hubEnv = {
    ...common,
    PEAKWATCH_HUB_PORT: String(hubPort),
    PEAKWATCH_HUB_URL: hubUrl,
    PEAKWATCH_SHOP_URL: shopUrl,
    PEAKWATCH_AGENT_TOKEN: agentToken,
    PEAKWATCH_ADMIN_EMAIL: adminEmail,
    HUB_OTP_SECRET: secret(),
    HUB_SCRAPE_INTERVAL_SECONDS: "0",
    ...(hubDbUrl ? { HUB_DATABASE_URL: hubDbUrl } : {}),
  };
  let hub = startPeakwatch(["hub"], hubEnv);
  const stack: Stack = {
    hubUrl,
    dashboardUrl: hubUrl,
    shopUrl,
    adminEmail,
    agentToken,
    shopAdminToken,
    hub: () => hub,
    async loginCode(email, from) {
      const escaped = email.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      const match = await hub.waitFor(new RegExp(`login code for ${escaped}: (\\d{6,10})`), 10_000, from);
      return match[1]!;
    },
    killHub: () => kill(hub, "SIGKILL"),
    async startHub() {
      hub = startPeakwatch(["hub"], hubEnv);
      await waitHealthy(hubUrl, hub, 60_000);
    },
    async close() {
      await kill(hub, "SIGTERM");
      await kill(shop, "SIGTERM");
      for (const db of databases) await db.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  try {
    await Promise.all([waitHealthy(shopUrl, shop, 90_000), waitHealthy(hubUrl, hub, 60_000)]);
    if (!(await servesDashboard(hubUrl)))
      throw new Error(`the hub at ${hubUrl} does not serve the dashboard at /`);
  } catch (error) {
    await stack.close();
    throw error;
  }
  return stack;
}

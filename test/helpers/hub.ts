import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { componentDomains } from "../../db/domains.ts";
import type { Role } from "../../server/auth/roles.ts";
import { loadHubConfig } from "../../server/config.ts";
import { type RunningHub, startHub } from "../../server/hub.ts";
import { createTestDatabase, type TestDatabase } from "./db.ts";

export interface TestHubOptions {
  /** Database kind; PGlite (in memory) by default. */
  kind?: "pglite" | "postgres";
  /** Extra hub environment (e.g. PEAKWATCH_SHOP_URL, SHOP_ADMIN_TOKEN). */
  env?: Record<string, string>;
  now?: () => number;
  /** Share a database with another test hub (a second replica); it stays open on close. */
  database?: TestDatabase;
}

/** A logged-in dashboard user: send `headers` with every request (cookie + CSRF token). */
export interface TestSession {
  email: string;
  role: Role;
  cookie: string;
  csrfToken: string;
  headers: Record<string, string>;
}

/** A throwaway hub on a free port with a fresh database. */
export interface TestHub {
  url: string;
  /** An agent token the hub accepts (Authorization: Bearer …). */
  agentToken: string;
  /** `{authorization: "Bearer …"}` for agent requests. */
  agentHeaders: Record<string, string>;
  /** Login codes the hub "mailed", newest last. */
  mailbox: Array<{ email: string; code: string }>;
  /** Creates a user with `role` (unless `email` exists) and logs in through the real OTP flow. */
  loginAs(role: Role, options?: { email?: string; expiresAt?: Date | null }): Promise<TestSession>;
  /** Logs in an existing user by email through the OTP flow; rejects with the hub's status on failure. */
  login(email: string): Promise<TestSession>;
  hub: RunningHub;
  database: TestDatabase;
  /** The hub's PEAKWATCH_DATA_DIR (a throwaway directory). */
  dataDir: string;
  close(): Promise<void>;
}

/** Hub settings every test hub (in-process or a process) shares: no background jobs, no login limits. */
export const quietHubEnv = {
  HUB_SCRAPE_INTERVAL_SECONDS: "0",
  // Tests use fixed old timestamps: background retention would roll them up mid-test.
  HUB_RETENTION_INTERVAL_MINUTES: "0",
  // Scheduled backups (and the backup-age series alert rules read) only where a test asks.
  HUB_BACKUP_INTERVAL_HOURS: "0",
  // Every test login comes from 127.0.0.1: per-address login limits get their own tests.
  HUB_LOGIN_CODES_PER_ADDRESS: "100000",
  HUB_LOGIN_CODES_PER_ACCOUNT: "100000",
  HUB_LOGIN_FAILURES_PER_ADDRESS: "100000",
} as const;

let userCounter = 0;

/** Starts a hub on 127.0.0.1 port 0 with a fresh database; call close() when done. */
export async function startTestHub(options: TestHubOptions = {}): Promise<TestHub> {
  const database =
    options.database ?? (await createTestDatabase(options.kind ?? "pglite", componentDomains.hub));
  const ownsDatabase = !options.database;
  // Generated keys (alerting's master key) go to a throwaway directory, never the work tree.
  const dataDir = mkdtempSync(join(tmpdir(), "pw-hub-"));
  const agentToken = `test_${randomBytes(16).toString("hex")}`;
  const config = loadHubConfig({
    PEAKWATCH_HUB_PORT: "0",
    PEAKWATCH_DATA_DIR: dataDir,
    PEAKWATCH_HOST: "127.0.0.1",
    PEAKWATCH_AGENT_TOKEN: agentToken,
    PEAKWATCH_ADMIN_EMAIL: "admin@peakwatch.test",
    ...quietHubEnv,
    // On Postgres the hub elects a leader with an advisory lock over its own connection.
    HUB_DATABASE_URL: database.url ?? "",
    ...options.env,
  });
  const mailbox: TestHub["mailbox"] = [];
  let hub: RunningHub;
  try {
    hub = await startHub({
      db: database.db,
      driver: database.driver,
      dumpDataDir: database.dumpDataDir,
      config,
      now: options.now,
      mailer: { sendCode: async (email, code) => void mailbox.push({ email, code }) },
    });
  } catch (error) {
    if (ownsDatabase) await database.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }

  const post = (path: string, body: unknown) =>
    fetch(`${hub.url}/api/v1${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  async function login(email: string): Promise<TestSession> {
    const requested = await post("/auth/otp/request", { email });
    if (requested.status !== 200) throw new Error(`otp request answered ${requested.status}`);
    const { challengeId } = (await requested.json()) as { challengeId: string };
    const mail = mailbox.findLast((m) => m.email === email.toLowerCase());
    const verified = await post("/auth/otp/verify", { challengeId, code: mail?.code ?? "000000" });
    if (verified.status !== 200) throw new Error(`otp verify answered ${verified.status}`);
    const { user } = (await verified.json()) as { user: { email: string; role: Role } };
    const cookie = verified.headers.getSetCookie()[0]!.split(";")[0]!;
    const me = await fetch(`${hub.url}/api/v1/auth/me`, { headers: { cookie } });
    const { csrfToken } = (await me.json()) as { csrfToken: string };
    return { ...user, cookie, csrfToken, headers: { cookie, "x-csrf-token": csrfToken } };
  }

  return {
    url: hub.url,
    agentToken,
    agentHeaders: { authorization: `Bearer ${agentToken}` },
    mailbox,
    login,
    loginAs: async (role, opts = {}) => {
      const email = opts.email ?? `${role}-${++userCounter}-${randomBytes(3).toString("hex")}@peakwatch.test`;
      await hub.users.create({ email, role, expiresAt: opts.expiresAt ?? null });
      return login(email);
    },
    hub,
    database,
    dataDir,
    close: async () => {
      await hub.close();
      if (ownsDatabase) await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

import { randomBytes } from "node:crypto";
import { loadHubConfig } from "../../server/config.ts";
import { type RunningHub, startHub } from "../../server/hub.ts";
import { createTestDatabase, type TestDatabase } from "./db.ts";

export interface TestHubOptions {
  /** Database kind; PGlite (in memory) by default. */
  kind?: "pglite" | "postgres";
  /** Extra hub environment (e.g. PEAKWATCH_SHOP_URL, SHOP_ADMIN_TOKEN). */
  env?: Record<string, string>;
  now?: () => number;
}

/** A throwaway hub on a free port with a fresh database. */
export interface TestHub {
  url: string;
  /** An agent token the hub accepts (Authorization: Bearer …). */
  agentToken: string;
  /** `{authorization: "Bearer …"}` for agent requests. */
  agentHeaders: Record<string, string>;
  hub: RunningHub;
  database: TestDatabase;
  close(): Promise<void>;
}

/** Starts a hub on 127.0.0.1 port 0 with a fresh database; call close() when done. */
export async function startTestHub(options: TestHubOptions = {}): Promise<TestHub> {
  const database = await createTestDatabase(options.kind ?? "pglite", ["hub", "alerting"]);
  const agentToken = `test_${randomBytes(16).toString("hex")}`;
  const config = loadHubConfig({
    PEAKWATCH_HUB_PORT: "0",
    PEAKWATCH_HOST: "127.0.0.1",
    PEAKWATCH_AGENT_TOKEN: agentToken,
    HUB_SCRAPE_INTERVAL_SECONDS: "0",
    ...options.env,
  });
  let hub: RunningHub;
  try {
    hub = await startHub({ db: database.db, driver: database.driver, config, now: options.now });
  } catch (error) {
    await database.close();
    throw error;
  }
  return {
    url: hub.url,
    agentToken,
    agentHeaders: { authorization: `Bearer ${agentToken}` },
    hub,
    database,
    close: async () => {
      await hub.close();
      await database.close();
    },
  };
}

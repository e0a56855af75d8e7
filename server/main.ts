import { DataDirLocked, lockDataDir } from "../db/data-lock.ts";
import { componentDomains } from "../db/domains.ts";
import { openDb, pgliteDir } from "../db/open.ts";
import { loadHubConfig } from "./config.ts";
import { startHub } from "./hub.ts";

/** The embedded hub database's buffer pool (see OpenDbOptions.pgliteSharedBuffers). */
export const HUB_PGLITE_SHARED_BUFFERS = "32MB";

/** Runs the hub until SIGINT/SIGTERM, then shuts down gracefully and resolves 0. */
export async function main(_argv: string[]): Promise<number> {
  const config = loadHubConfig();
  const host = config.PEAKWATCH_HOST.includes(":") ? `[${config.PEAKWATCH_HOST}]` : config.PEAKWATCH_HOST;
  const listenUrl = `http://${host}:${config.PEAKWATCH_HUB_PORT}`;
  // Links in notifications default to where this hub really listens (alerting reads the variable).
  if (!process.env.PEAKWATCH_EXTERNAL_URL && config.PEAKWATCH_HUB_PORT !== 0)
    process.env.PEAKWATCH_EXTERNAL_URL = `${listenUrl}/`;
  const dataDir = pgliteDir(config.PEAKWATCH_DATA_DIR, "hub");
  let lock: { release(): void } | undefined;
  if (!config.databaseUrl) {
    try {
      lock = lockDataDir(dataDir, { owner: "the hub", url: listenUrl });
    } catch (error) {
      if (!(error instanceof DataDirLocked)) throw error;
      console.error(`peakwatch hub: ${error.message}; stop it or use another PEAKWATCH_DATA_DIR`);
      return 1;
    }
  }
  try {
    const database = await openDb({
      domains: componentDomains.hub,
      url: config.databaseUrl,
      dataDir,
      // With the default 128 MB, migrations on a fresh data directory touched the whole pool and
      // an idle hub sat at ~880 MB resident; data files stay in the OS page cache anyway.
      pgliteSharedBuffers: HUB_PGLITE_SHARED_BUFFERS,
      pgliteThread: config.HUB_PGLITE_THREAD,
    });
    let hub: Awaited<ReturnType<typeof startHub>>;
    try {
      hub = await startHub({
        db: database.db,
        driver: database.driver,
        dumpDataDir: database.dumpDataDir,
        config,
      });
    } catch (error) {
      await database.close();
      throw error;
    }
    console.log(`hub listening on ${hub.url} (database: ${database.driver} ${database.location})`);
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    const started = Date.now();
    console.log(`hub: ${signal}: finishing requests in flight, stopping runs, closing the database…`);
    await hub.close();
    await database.close();
    console.log(`hub: stopped cleanly in ${Date.now() - started} ms`);
    return 0;
  } finally {
    lock?.release();
  }
}

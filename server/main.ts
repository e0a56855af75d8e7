import { openDb, pgliteDir } from "../db/open.ts";
import { loadHubConfig } from "./config.ts";
import { startHub } from "./hub.ts";

/** Runs the hub until SIGINT/SIGTERM. */
export async function main(_argv: string[]): Promise<number> {
  const config = loadHubConfig();
  const database = await openDb({
    domains: ["hub", "alerting"],
    url: config.databaseUrl,
    dataDir: pgliteDir(config.PEAKWATCH_DATA_DIR, "hub"),
  });
  let hub: Awaited<ReturnType<typeof startHub>>;
  try {
    hub = await startHub({ db: database.db, driver: database.driver, config });
  } catch (error) {
    await database.close();
    throw error;
  }
  console.log(`hub listening on ${hub.url} (database: ${database.driver} ${database.location})`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await hub.close();
  await database.close();
  return 0;
}

import { DataDirLocked, lockDataDir } from "../db/data-lock.ts";
import { openDb, pgliteDir } from "../db/open.ts";
import { loadHubConfig } from "../server/config.ts";
import { loadShopConfig } from "../shop/config.ts";

/** Applies hub and shop migrations to their configured databases, then exits. */
export async function main(_argv: string[]): Promise<number> {
  const hub = loadHubConfig();
  const shop = loadShopConfig();
  for (const [name, url, dir, domains] of [
    [
      "hub",
      hub.databaseUrl,
      pgliteDir(hub.PEAKWATCH_DATA_DIR, "hub"),
      ["hub", "alerting", "planning"] as const,
    ],
    ["shop", shop.databaseUrl, pgliteDir(shop.PEAKWATCH_DATA_DIR, "shop"), ["shop"] as const],
  ] as const) {
    // The hub and the shop migrate their own embedded files at start; a running one holds them.
    let lock: { release(): void } | undefined;
    try {
      if (!url) lock = lockDataDir(dir, { owner: "peakwatch migrate" });
    } catch (error) {
      if (!(error instanceof DataDirLocked)) throw error;
      console.error(
        `peakwatch migrate: ${name}: ${error.message}; it applied its migrations when it started`,
      );
      return 1;
    }
    try {
      const opened = await openDb({ domains, url, dataDir: dir });
      console.log(`${name}: migrations applied (${opened.driver} ${opened.location})`);
      await opened.close();
    } finally {
      lock?.release();
    }
  }
  return 0;
}

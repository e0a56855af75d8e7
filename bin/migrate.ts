import { openDb, pgliteDir } from "../db/open.ts";
import { loadHubConfig } from "../server/config.ts";
import { loadShopConfig } from "../shop/config.ts";

/** Applies hub and shop migrations to their configured databases, then exits. */
export async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help")) {
    console.log(
      "Usage: peakwatch migrate\n\nApplies the hub's and the shop's migrations (idempotent) and exits.",
    );
    return 0;
  }
  const hub = loadHubConfig();
  const shop = loadShopConfig();
  for (const [name, url, dir, domains] of [
    ["hub", hub.databaseUrl, pgliteDir(hub.PEAKWATCH_DATA_DIR, "hub"), ["hub", "alerting", "planning"] as const],
    ["shop", shop.databaseUrl, pgliteDir(shop.PEAKWATCH_DATA_DIR, "shop"), ["shop"] as const],
  ] as const) {
    const opened = await openDb({ domains, url, dataDir: dir });
    console.log(`${name}: migrations applied (${opened.driver} ${opened.location})`);
    await opened.close();
  }
  return 0;
}

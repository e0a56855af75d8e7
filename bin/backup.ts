import { statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { BackupComponent } from "../core/backup/archive.ts";
import { formatBytes } from "../core/bytes.ts";
import { argsErrorMessage } from "../core/cli-args.ts";
import { pgliteDir } from "../db/open.ts";
import { BackupError, writeArchive } from "../server/backup/archive-file.ts";
import { findBackupKey } from "../server/backup/backup-key.ts";
import { type DatabaseLocation, dumpSource } from "../server/backup/database-dump.ts";
import { loadHubConfig } from "../server/config.ts";
import { loadShopConfig } from "../shop/config.ts";

/** Why a backup cannot be written to `out`, checked before the (long) dump; undefined when it can. */
function outProblem(out: string): string | undefined {
  const dir = dirname(resolve(out));
  try {
    if (!statSync(dir).isDirectory()) return `${dir} is not a directory`;
  } catch {
    return `the directory ${dir} does not exist; create it first`;
  }
  try {
    if (statSync(out).isDirectory()) return `${out} is a directory; give a file name inside it`;
  } catch {}
  return undefined;
}

const usage = `Usage: peakwatch backup [--out FILE] [--shop]

Writes a consistent, encrypted, self-describing archive of the hub's database (with --shop, the
shop's instead): from the embedded database (PGlite) when the stack is stopped, or with pg_dump
from Postgres (HUB_DATABASE_URL / SHOP_DATABASE_URL / DATABASE_URL) at any time.

The archive is encrypted (AES-256-GCM) with a key derived from the component's master key
(PEAKWATCH_MASTER_KEY, or <data dir>/<hub|shop>/master.key): keep that key apart from the backups.
While the hub runs on the embedded database, use its scheduled backups (HUB_BACKUP_INTERVAL_HOURS)
or Admin → Backups → Back up now.

Options:
  --out FILE   where to write (default ./peakwatch-<hub|shop>-<timestamp>.pwbackup)
  --shop       back up the shop instead of the hub
  -h, --help   this text`;

/** Where a component's database is, from its own configuration. */
export function locationOf(component: BackupComponent): {
  location: DatabaseLocation;
  dataDir: string;
  masterKeyEnv?: string;
} {
  const config = component === "hub" ? loadHubConfig() : loadShopConfig();
  const dataDir = config.PEAKWATCH_DATA_DIR;
  const location: DatabaseLocation = config.databaseUrl
    ? { driver: "postgres", url: config.databaseUrl }
    : { driver: "pglite", dir: pgliteDir(dataDir, component) };
  return { location, dataDir, masterKeyEnv: process.env.PEAKWATCH_MASTER_KEY };
}

/** `peakwatch backup`: exit 0 with the archive written, 1 when it could not be, 2 on bad flags. */
export async function main(argv: string[]): Promise<number> {
  let values: { out?: string; shop?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { out: { type: "string" }, shop: { type: "boolean" }, help: { type: "boolean", short: "h" } },
    }));
  } catch (error) {
    console.error(`peakwatch backup: ${argsErrorMessage(error)}\n\n${usage}`);
    return 2;
  }
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const component: BackupComponent = values.shop ? "shop" : "hub";
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const out = values.out ?? `peakwatch-${component}-${stamp}.pwbackup`;
  const wrongOut = outProblem(out);
  if (wrongOut) {
    console.error(`peakwatch backup: --out: ${wrongOut}`);
    return 2;
  }
  try {
    const { location, dataDir, masterKeyEnv } = locationOf(component);
    const { key, from } = findBackupKey({ env: masterKeyEnv, dataDir, component });
    const started = performance.now();
    const { header, bytes } = await writeArchive(out, await dumpSource(component, location), key);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `backup written: ${out} (${formatBytes(bytes)}, ${component} on ${header.driver}, ${seconds} s)\n` +
        `encrypted with the key from ${from} (${header.keyId}); restore with: peakwatch restore ${out}`,
    );
    return 0;
  } catch (error) {
    if (error instanceof BackupError) {
      console.error(`peakwatch backup: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

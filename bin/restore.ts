import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { argsErrorMessage } from "../core/cli-args.ts";
import { BackupError, decryptArchive, readArchiveHeader } from "../server/backup/archive-file.ts";
import { findBackupKey, masterKeyFile } from "../server/backup/backup-key.ts";
import { describeLocation, restoreDump } from "../server/backup/database-dump.ts";
import { locationOf } from "./backup.ts";

const usage = `Usage: peakwatch restore FILE [--key-file FILE] [--force]

Restores a backup written by \`peakwatch backup\` (or the hub's scheduled backups) into the
database its component is configured to use: the embedded one under PEAKWATCH_DATA_DIR, or the
Postgres of HUB_DATABASE_URL / SHOP_DATABASE_URL / DATABASE_URL. The target must be empty; with
--force an embedded data directory is moved aside (never deleted) and Postgres schemas are replaced.
Stop the stack first.

Options:
  --key-file FILE  the master key the backup was made with (default: PEAKWATCH_MASTER_KEY, then
                   <data dir>/<hub|shop>/master.key); restoring into an empty data directory
                   also installs it there, so the restored secrets can be read
  --force          replace existing data
  -h, --help       this text`;

/** `peakwatch restore FILE`: 0 restored, 1 refused or failed (with the reason), 2 bad flags. */
export async function main(argv: string[]): Promise<number> {
  let parsed: { values: { "key-file"?: string; force?: boolean; help?: boolean }; positionals: string[] };
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        "key-file": { type: "string" },
        force: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    console.error(`peakwatch restore: ${argsErrorMessage(error)}\n\n${usage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0) {
    console.error(`peakwatch restore: give exactly one backup FILE\n\n${usage}`);
    return 2;
  }
  const scratch = await mkdtemp(join(tmpdir(), "peakwatch-restore-"));
  try {
    const { header } = await readArchiveHeader(file);
    const { location, dataDir, masterKeyEnv } = locationOf(header.component);
    const keySource = findBackupKey({
      keyFile: values["key-file"],
      env: masterKeyEnv,
      dataDir,
      component: header.component,
    });
    const plaintext = join(scratch, "dump");
    await decryptArchive(file, keySource.key, plaintext);
    const { movedAside } = await restoreDump(
      header.component,
      header.driver,
      plaintext,
      location,
      values.force ?? false,
    );
    installKey(header.component, dataDir, keySource.masterKey, masterKeyEnv);
    console.log(
      `restored the ${header.component} from ${file} (made ${header.createdAt}) into ${describeLocation(location)}` +
        (movedAside ? `\nthe previous data directory was moved to ${movedAside}` : ""),
    );
    return 0;
  } catch (error) {
    if (error instanceof BackupError) {
      console.error(`peakwatch restore: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The restored data's secrets open only with the key it was made with: put it where the process looks. */
function installKey(
  component: "hub" | "shop",
  dataDir: string,
  masterKey: Buffer,
  env: string | undefined,
): void {
  if (env) return;
  const file = masterKeyFile(dataDir, component);
  if (existsSync(file)) return;
  mkdirSync(join(dataDir, component), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${masterKey.toString("base64")}\n`, { mode: 0o600, flag: "wx" });
}

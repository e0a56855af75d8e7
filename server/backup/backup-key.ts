import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type BackupComponent, type BackupKey, deriveBackupKey } from "../../core/backup/archive.ts";
import { BackupError } from "./archive-file.ts";

/** Where `peakwatch up` (or the process itself) keeps a component's generated master key. */
export function masterKeyFile(dataDir: string, component: BackupComponent): string {
  return join(dataDir, component, "master.key");
}

export interface KeySource {
  key: BackupKey;
  /** The 32-byte master key itself (a restore writes it beside the restored data). */
  masterKey: Buffer;
  /** Where it came from, for messages ("--key-file x", "PEAKWATCH_MASTER_KEY", a path). */
  from: string;
}

function decode(text: string, from: string): Buffer {
  const key = Buffer.from(text.trim(), "base64");
  if (key.length !== 32) throw new BackupError(`${from}: a master key is 32 bytes, base64-encoded`);
  return key;
}

/**
 * The master key that opens a component's backups, in order: `--key-file`, PEAKWATCH_MASTER_KEY,
 * the key file under the data directory. Never generates one: a new key could open nothing.
 */
export function findBackupKey(options: {
  keyFile?: string | undefined;
  env?: string | undefined;
  dataDir: string;
  component: BackupComponent;
}): KeySource {
  const sources: Array<[string, () => string | undefined]> = [
    [
      `--key-file ${options.keyFile}`,
      () => (options.keyFile ? readFileSync(options.keyFile, "utf8") : undefined),
    ],
    ["PEAKWATCH_MASTER_KEY", () => options.env],
    [
      masterKeyFile(options.dataDir, options.component),
      () => {
        const file = masterKeyFile(options.dataDir, options.component);
        return existsSync(file) ? readFileSync(file, "utf8") : undefined;
      },
    ],
  ];
  for (const [from, read] of sources) {
    let text: string | undefined;
    try {
      text = read();
    } catch (error) {
      throw new BackupError(`${from}: ${(error as Error).message}`);
    }
    if (text === undefined) continue;
    const masterKey = decode(text, from);
    return { key: deriveBackupKey(masterKey), masterKey, from };
  }
  throw new BackupError(
    `no master key for the ${options.component}: pass --key-file (the ${options.component}'s master.key) or set PEAKWATCH_MASTER_KEY`,
  );
}

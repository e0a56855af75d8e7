import { randomBytes } from "node:crypto";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { ConfigError } from "../../core/config.ts";
import { makePrivateProcessDir } from "../../db/private-dir.ts";

/** Where a generated master key is kept when PEAKWATCH_MASTER_KEY is not set. */
export function masterKeyPath(dataDir: string): string {
  return join(dataDir, "shop", "master.key");
}

function decode(base64: string, variable: string): Buffer {
  const key = Buffer.from(base64.trim(), "base64");
  if (key.length !== 32) throw new ConfigError(variable, "must be 32 bytes, base64-encoded");
  return key;
}

/**
 * The master key: PEAKWATCH_MASTER_KEY when set, else the key file under the data
 * directory, generated once with mode 0600 (create-exclusive, so two starting processes
 * never write different keys).
 */
export function loadMasterKey(options: { fromEnv: string | undefined; dataDir: string }): Buffer {
  if (options.fromEnv) return decode(options.fromEnv, "PEAKWATCH_MASTER_KEY");
  const path = masterKeyPath(options.dataDir);
  // The key, the database beside it and everything else of the shop's: this user only.
  makePrivateProcessDir(options.dataDir, dirname(path));
  try {
    return decode(readFileSync(path, "utf8"), path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  try {
    writeFileSync(path, `${randomBytes(32).toString("base64")}\n`, { mode: 0o600, flag: "wx" });
    chmodSync(path, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  return decode(readFileSync(path, "utf8"), path);
}

import { createHash } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../../core/config.ts";
import { generateKey, type Kek } from "../../core/crypto/envelope.ts";
import { makePrivateProcessDir } from "../../db/private-dir.ts";

/** The key id written into every blob: derived from the key, so a different key is detected, not misused. */
function kekOf(key: Buffer): Kek {
  return { id: `hub-${createHash("sha256").update(key).digest("hex").slice(0, 12)}`, key };
}

/**
 * The hub's key for channel secrets: PEAKWATCH_MASTER_KEY (base64, 32 bytes) or a key generated
 * once into `<dataDir>/hub/master.key` (mode 0600). Throws ConfigError on a malformed key.
 */
export function loadMasterKey(setting: string | undefined, dataDir: string): Kek {
  if (setting) {
    const key = Buffer.from(setting, "base64");
    if (key.length !== 32) throw new ConfigError("PEAKWATCH_MASTER_KEY", "must be 32 bytes, base64-encoded");
    return kekOf(key);
  }
  const dir = join(dataDir, "hub");
  const file = join(dir, "master.key");
  const read = () => kekOf(Buffer.from(readFileSync(file, "utf8").trim(), "base64"));
  // The key, the database beside it and everything else of the hub's: this user only.
  makePrivateProcessDir(dataDir, dir);
  if (existsSync(file)) return read();
  const key = generateKey();
  try {
    writeFileSync(file, `${key.toString("base64")}\n`, { mode: 0o600, flag: "wx" });
  } catch (error) {
    // Another hub process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return read();
    throw error;
  }
  chmodSync(file, 0o600);
  return kekOf(key);
}

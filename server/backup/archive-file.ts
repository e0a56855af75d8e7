import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { open, rename, rm, stat } from "node:fs/promises";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  BACKUP_FORMAT,
  BACKUP_MAX_HEADER_BYTES,
  BACKUP_TAG_BYTES,
  type BackupComponent,
  type BackupHeader,
  type BackupKey,
  encodeBackupPreamble,
  parseBackupPreamble,
} from "../../core/backup/archive.ts";

/** A backup that cannot be written, read or opened; the message is for the user as it is. */
export class BackupError extends Error {
  override name = "BackupError";
}

export interface ArchiveSource {
  component: BackupComponent;
  driver: BackupHeader["driver"];
  domains: string[];
  /** The dump's bytes; consumed once. */
  stream: Readable;
}

const version = "0.1.0";

/**
 * Streams `source` encrypted into `path` (mode 0600). Written to `<path>.partial` and renamed
 * at the end, so a crash never leaves a file that looks like a finished backup.
 * Returns the header and the archive's size in bytes.
 */
export async function writeArchive(
  path: string,
  source: ArchiveSource,
  key: BackupKey,
  now = new Date(),
): Promise<{ header: BackupHeader; bytes: number }> {
  const nonce = randomBytes(12);
  const header: BackupHeader = {
    format: BACKUP_FORMAT,
    component: source.component,
    driver: source.driver,
    createdAt: now.toISOString(),
    domains: source.domains,
    keyId: key.id,
    cipher: "aes-256-gcm",
    nonce: nonce.toString("base64"),
    peakwatchVersion: version,
  };
  const preamble = encodeBackupPreamble(header);
  const cipher = createCipheriv("aes-256-gcm", key.key, nonce);
  cipher.setAAD(preamble);
  const partial = `${path}.partial`;
  const out = createWriteStream(partial, { mode: 0o600 });
  out.write(preamble);
  try {
    await pipeline(source.stream, cipher, out, { end: false });
    await new Promise<void>((resolve, reject) =>
      out.end(cipher.getAuthTag(), (error?: Error | null) => (error ? reject(error) : resolve())),
    );
    await rename(partial, path);
  } catch (error) {
    out.destroy();
    await rm(partial, { force: true });
    throw error;
  }
  return { header, bytes: (await stat(path)).size };
}

/** Reads and checks an archive's header without the key. Throws BackupError naming the problem. */
export async function readArchiveHeader(
  path: string,
): Promise<{ header: BackupHeader; preambleBytes: number; preamble: Buffer }> {
  const handle = await open(path, "r").catch((error: NodeJS.ErrnoException) => {
    throw new BackupError(`cannot read ${path}: ${error.code === "ENOENT" ? "no such file" : error.message}`);
  });
  try {
    const start = Buffer.alloc(BACKUP_MAX_HEADER_BYTES + 64);
    const { bytesRead } = await handle.read(start, 0, start.length, 0);
    const parsed = parseBackupPreamble(start.subarray(0, bytesRead));
    if (!parsed.ok) throw new BackupError(`${path}: ${parsed.error}`);
    const preamble = Buffer.from(start.subarray(0, parsed.preambleBytes));
    return { header: parsed.header, preambleBytes: parsed.preambleBytes, preamble };
  } finally {
    await handle.close();
  }
}

/**
 * Decrypts an archive into `outPath` (mode 0600) and checks its tag before returning, so nothing
 * unauthenticated is ever restored. Throws BackupError on a wrong key or a damaged file
 * (and removes what it wrote).
 */
export async function decryptArchive(path: string, key: BackupKey, outPath: string): Promise<BackupHeader> {
  const { header, preambleBytes, preamble } = await readArchiveHeader(path);
  if (header.keyId !== key.id) {
    throw new BackupError(
      `${path} was made with master key ${header.keyId}; the key given is ${key.id} (pass the right one with --key-file or PEAKWATCH_MASTER_KEY)`,
    );
  }
  const size = (await stat(path)).size;
  if (size < preambleBytes + BACKUP_TAG_BYTES) throw new BackupError(`${path}: damaged backup (truncated)`);
  const tag = Buffer.alloc(BACKUP_TAG_BYTES);
  const handle = await open(path, "r");
  try {
    await handle.read(tag, 0, BACKUP_TAG_BYTES, size - BACKUP_TAG_BYTES);
  } finally {
    await handle.close();
  }
  const decipher = createDecipheriv("aes-256-gcm", key.key, Buffer.from(header.nonce, "base64"));
  // The header bytes as written: a changed header fails the tag like a changed body.
  decipher.setAAD(preamble);
  decipher.setAuthTag(tag);
  try {
    await pipeline(
      createReadStream(path, { start: preambleBytes, end: size - BACKUP_TAG_BYTES - 1 }),
      decipher,
      createWriteStream(outPath, { mode: 0o600 }),
    );
  } catch {
    await rm(outPath, { force: true });
    throw new BackupError(`${path}: damaged backup (its contents do not match their checksum)`);
  }
  return header;
}

import { createHash, hkdfSync } from "node:crypto";
import { z } from "zod";

/**
 * A Peakwatch backup archive: a magic line, one JSON header line, then the database dump
 * encrypted with AES-256-GCM (the 16-byte tag last). The header is authenticated as the cipher's
 * associated data, so a tampered header fails like a tampered body. The key is derived from the
 * component's master key (HKDF, its own label), so whoever can read the channel secrets or the
 * customer data of a restored database can also open its backups, and nobody else can.
 */
export const BACKUP_MAGIC = "PEAKWATCH-BACKUP\n";
export const BACKUP_FORMAT = 1;
export const BACKUP_TAG_BYTES = 16;
/** A header line longer than this is not ours: refuse before reading further. */
export const BACKUP_MAX_HEADER_BYTES = 4096;

export const backupComponents = ["hub", "shop"] as const;
export type BackupComponent = (typeof backupComponents)[number];

export const backupHeaderSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  component: z.enum(backupComponents),
  /** pglite: a gzipped tar of the data directory; postgres: a pg_dump custom-format archive. */
  driver: z.enum(["pglite", "postgres"]),
  createdAt: z.iso.datetime(),
  /** Migration domains (Postgres schemas) inside, so a restore knows what it brings back. */
  domains: z
    .array(z.string().regex(/^[a-z_]{1,32}$/))
    .min(1)
    .max(8),
  /** Which master key opens it (a hash prefix of the derived key, never the key). */
  keyId: z.string().regex(/^backup-[0-9a-f]{12}$/),
  cipher: z.literal("aes-256-gcm"),
  nonce: z.string().regex(/^[A-Za-z0-9+/]{16}$/),
  peakwatchVersion: z.string().max(32),
});
export type BackupHeader = z.infer<typeof backupHeaderSchema>;

export interface BackupKey {
  id: string;
  key: Buffer;
}

/** The archive key for a component's 32-byte master key (deterministic, one-way). */
export function deriveBackupKey(masterKey: Buffer): BackupKey {
  const key = Buffer.from(hkdfSync("sha256", masterKey, Buffer.alloc(0), "peakwatch-backup-v1", 32));
  const id = `backup-${createHash("sha256").update(key).digest("hex").slice(0, 12)}`;
  return { id, key };
}

/** The bytes that precede the ciphertext; also the cipher's associated data. */
export function encodeBackupPreamble(header: BackupHeader): Buffer {
  return Buffer.from(`${BACKUP_MAGIC}${JSON.stringify(header)}\n`, "utf8");
}

export type PreambleResult =
  | { ok: true; header: BackupHeader; preambleBytes: number }
  | { ok: false; error: string };

/** Parses the start of an archive (at least its first BACKUP_MAX_HEADER_BYTES bytes). Never throws. */
export function parseBackupPreamble(start: Buffer): PreambleResult {
  const magic = Buffer.from(BACKUP_MAGIC, "utf8");
  if (start.length < magic.length || !start.subarray(0, magic.length).equals(magic)) {
    return { ok: false, error: "not a Peakwatch backup (no PEAKWATCH-BACKUP line at the start)" };
  }
  const end = start.indexOf(0x0a, magic.length);
  if (end < 0 || end - magic.length > BACKUP_MAX_HEADER_BYTES) {
    return { ok: false, error: "damaged backup: the header line is missing or too long" };
  }
  let json: unknown;
  try {
    json = JSON.parse(start.subarray(magic.length, end).toString("utf8"));
  } catch {
    return { ok: false, error: "damaged backup: the header is not JSON" };
  }
  const parsed = backupHeaderSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      error: `unsupported backup header (${issue?.path.join(".") || "header"}: ${issue?.message})`,
    };
  }
  return { ok: true, header: parsed.data, preambleBytes: end + 1 };
}

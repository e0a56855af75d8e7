import { describe, expect, it } from "vitest";
import { type BackupHeader, deriveBackupKey, encodeBackupPreamble, parseBackupPreamble } from "./archive.ts";

const key = deriveBackupKey(Buffer.alloc(32, 7));
const header: BackupHeader = {
  format: 1,
  component: "hub",
  driver: "pglite",
  createdAt: "2026-11-30T12:00:00.000Z",
  domains: ["hub", "alerting"],
  keyId: key.id,
  cipher: "aes-256-gcm",
  nonce: "AAAAAAAAAAAAAAAA",
  peakwatchVersion: "0.1.0",
};

describe("backup archive preamble", () => {
  it("round-trips a header and says where the ciphertext starts", () => {
    const preamble = encodeBackupPreamble(header);
    const parsed = parseBackupPreamble(Buffer.concat([preamble, Buffer.from("ciphertext")]));
    expect(parsed).toEqual({ ok: true, header, preambleBytes: preamble.length });
  });

  it("refuses a file that is not a backup, naming why", () => {
    const parsed = parseBackupPreamble(Buffer.from("PK\u0003\u0004 zip file"));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(/not a Peakwatch backup/);
  });

  it("refuses a header of an unknown format version", () => {
    const future = encodeBackupPreamble({ ...header, format: 2 } as unknown as BackupHeader);
    const parsed = parseBackupPreamble(future);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(/format/);
  });

  it("derives a different key id from a different master key, and the same from the same", () => {
    expect(deriveBackupKey(Buffer.alloc(32, 7))).toEqual(key);
    expect(deriveBackupKey(Buffer.alloc(32, 8)).id).not.toBe(key.id);
  });
});

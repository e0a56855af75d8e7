import { describe, expect, it } from "vitest";
import {
  blobKeyId,
  DecryptionError,
  decryptField,
  encryptField,
  generateKey,
  type Kek,
  rewrapField,
  unwrapKek,
  wrapKek,
} from "./envelope.ts";

const kek1: Kek = { id: "kek-1", key: generateKey() };
const kek2: Kek = { id: "kek-2", key: generateKey() };
const keys = new Map([kek1, kek2].map((k) => [k.id, k.key]));
const lookup = (id: string) => keys.get(id);
const here = { table: "customers", column: "name", rowId: "row-1" };

function flipByte(blob: string, fromEnd: number): string {
  const bytes = Buffer.from(blob, "base64");
  const i = bytes.length - fromEnd;
  bytes[i] = bytes[i]! ^ 0x01;
  return bytes.toString("base64");
}

describe("envelope encryption", () => {
  it("round-trips and carries the key id", () => {
    const blob = encryptField("Ada Lovelace", here, kek1);
    expect(decryptField(blob, here, lookup)).toBe("Ada Lovelace");
    expect(blobKeyId(blob)).toBe("kek-1");
    expect(Buffer.from(blob, "base64")[0]).toBe(1);
    expect(Buffer.from(blob, "base64").toString("latin1")).not.toContain("Ada");
  });

  it("uses a fresh nonce and data key every time", () => {
    expect(encryptField("same", here, kek1)).not.toBe(encryptField("same", here, kek1));
  });

  it("rejects tampered ciphertext, tag and wrapped key with the same generic error", () => {
    const blob = encryptField("Ada Lovelace", here, kek1);
    for (const fromEnd of [1, 17, 30, 60]) {
      const bad = () => decryptField(flipByte(blob, fromEnd), here, lookup);
      expect(bad).toThrowError(DecryptionError);
      expect(bad).toThrowError(/^decryption failed$/);
    }
  });

  it("rejects a blob copied to another row, column or table", () => {
    const blob = encryptField("Ada Lovelace", here, kek1);
    for (const elsewhere of [
      { ...here, rowId: "row-2" },
      { ...here, column: "phone" },
      { ...here, table: "orders" },
    ]) {
      expect(() => decryptField(blob, elsewhere, lookup)).toThrowError(DecryptionError);
    }
  });

  it("rejects an unknown key id and garbage", () => {
    const blob = encryptField("x", here, { id: "gone", key: generateKey() });
    expect(() => decryptField(blob, here, lookup)).toThrowError(DecryptionError);
    expect(() => decryptField("not a blob", here, lookup)).toThrowError(DecryptionError);
  });

  it("re-wraps under a new key id without changing the plaintext", () => {
    const blob = encryptField("221B Baker Street", here, kek1);
    const rewrapped = rewrapField(blob, here, lookup, kek2);
    expect(blobKeyId(rewrapped)).toBe("kek-2");
    expect(decryptField(rewrapped, here, (id) => (id === "kek-2" ? kek2.key : undefined))).toBe(
      "221B Baker Street",
    );
  });

  it("wraps key-encryption keys under the master key, bound to their id", () => {
    const master = generateKey();
    const wrapped = wrapKek(kek1, master);
    expect(unwrapKek("kek-1", wrapped, master).key.equals(kek1.key)).toBe(true);
    expect(() => unwrapKek("kek-9", wrapped, master)).toThrowError(DecryptionError);
    expect(() => unwrapKek("kek-1", wrapped, generateKey())).toThrowError(DecryptionError);
  });
});

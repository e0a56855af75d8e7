import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/**
 * Envelope encryption with AES-256-GCM: every record gets its own random data key, which
 * is wrapped by a key-encryption key (KEK). Rotating a KEK re-wraps the small data keys
 * and never re-encrypts the data. Pure apart from the CSPRNG; keys are passed in.
 *
 * Blob layout (base64 of): version(1) | kekIdLength(1) | kekId | wrapNonce(12) |
 * wrappedDataKey(32) | wrapTag(16) | nonce(12) | ciphertext | tag(16).
 */

export const ENVELOPE_VERSION = 1;
const NONCE_BYTES = 12;
const KEY_BYTES = 32;
const TAG_BYTES = 16;

/** Where a blob lives. It is bound to exactly this place: a copy elsewhere does not decrypt. */
export interface FieldContext {
  table: string;
  column: string;
  rowId: string;
}

/** A key-encryption key and its id (the id is written into every blob it wraps). */
export interface Kek {
  id: string;
  key: Buffer;
}

/** Every failure to decrypt, whatever the cause: callers and attackers learn nothing more. */
export class DecryptionError extends Error {
  constructor(options?: { cause?: unknown }) {
    super("decryption failed", options);
    this.name = "DecryptionError";
  }
}

/** A fresh random 256-bit key. */
export function generateKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

function seal(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, nonce);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

function open(key: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  const nonce = sealed.subarray(0, NONCE_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const body = sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES);
  const decipher = createDecipheriv("aes-256-gcm", key, nonce);
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(body), decipher.final()]);
}

const place = (ctx: FieldContext) => `${ctx.table}\0${ctx.column}\0${ctx.rowId}`;
const dataAad = (ctx: FieldContext) => Buffer.from(`v${ENVELOPE_VERSION}\0data\0${place(ctx)}`);
const wrapAad = (kekId: string, ctx: FieldContext) =>
  Buffer.from(`v${ENVELOPE_VERSION}\0dek\0${kekId}\0${place(ctx)}`);

interface Parts {
  kekId: string;
  wrapped: Buffer;
  sealed: Buffer;
}

const WRAPPED_BYTES = NONCE_BYTES + KEY_BYTES + TAG_BYTES;

function parse(blob: string): Parts {
  const bytes = Buffer.from(blob, "base64");
  if (bytes[0] !== ENVELOPE_VERSION) throw new DecryptionError();
  const idLength = bytes[1] ?? 0;
  const kekId = bytes.subarray(2, 2 + idLength).toString("utf8");
  const wrapped = bytes.subarray(2 + idLength, 2 + idLength + WRAPPED_BYTES);
  const sealed = bytes.subarray(2 + idLength + WRAPPED_BYTES);
  if (!kekId || wrapped.length !== WRAPPED_BYTES || sealed.length < NONCE_BYTES + TAG_BYTES) {
    throw new DecryptionError();
  }
  return { kekId, wrapped, sealed };
}

function serialize(kekId: string, wrapped: Buffer, sealed: Buffer): string {
  const id = Buffer.from(kekId, "utf8");
  if (id.length === 0 || id.length > 255) throw new Error("key id must be 1..255 bytes");
  return Buffer.concat([Buffer.from([ENVELOPE_VERSION, id.length]), id, wrapped, sealed]).toString("base64");
}

/** Encrypts `plaintext` for one field of one row under a fresh data key wrapped by `kek`. */
export function encryptField(plaintext: string, ctx: FieldContext, kek: Kek): string {
  const dataKey = generateKey();
  const sealed = seal(dataKey, Buffer.from(plaintext, "utf8"), dataAad(ctx));
  const wrapped = seal(kek.key, dataKey, wrapAad(kek.id, ctx));
  dataKey.fill(0);
  return serialize(kek.id, wrapped, sealed);
}

/** Finds a KEK by the id a blob carries; undefined when unknown. */
export type KekLookup = (id: string) => Buffer | undefined;

function unwrapDataKey(parts: Parts, ctx: FieldContext, lookup: KekLookup): Buffer {
  const kek = lookup(parts.kekId);
  if (!kek) throw new DecryptionError();
  return open(kek, parts.wrapped, wrapAad(parts.kekId, ctx));
}

/** Decrypts a blob written by encryptField for this exact place. Throws DecryptionError on any failure. */
export function decryptField(blob: string, ctx: FieldContext, lookup: KekLookup): string {
  try {
    const parts = parse(blob);
    const dataKey = unwrapDataKey(parts, ctx, lookup);
    return open(dataKey, parts.sealed, dataAad(ctx)).toString("utf8");
  } catch (error) {
    throw error instanceof DecryptionError ? error : new DecryptionError({ cause: error });
  }
}

/** The id of the KEK that wraps a blob's data key (without decrypting anything). */
export function blobKeyId(blob: string): string {
  try {
    return parse(blob).kekId;
  } catch (error) {
    throw error instanceof DecryptionError ? error : new DecryptionError({ cause: error });
  }
}

/**
 * Re-wraps a blob's data key under `next`; the data ciphertext is kept as it is.
 * Throws DecryptionError when the current KEK cannot unwrap it.
 */
export function rewrapField(blob: string, ctx: FieldContext, lookup: KekLookup, next: Kek): string {
  try {
    const parts = parse(blob);
    const dataKey = unwrapDataKey(parts, ctx, lookup);
    const wrapped = seal(next.key, dataKey, wrapAad(next.id, ctx));
    dataKey.fill(0);
    return serialize(next.id, wrapped, parts.sealed);
  } catch (error) {
    throw error instanceof DecryptionError ? error : new DecryptionError({ cause: error });
  }
}

/** Wraps a KEK under the master key, bound to the KEK's id. */
export function wrapKek(kek: Kek, masterKey: Buffer): string {
  return seal(masterKey, kek.key, Buffer.from(`v${ENVELOPE_VERSION}\0kek\0${kek.id}`)).toString("base64");
}

/** Unwraps a KEK stored by wrapKek. Throws DecryptionError (wrong master key, tampering). */
export function unwrapKek(id: string, wrapped: string, masterKey: Buffer): Kek {
  try {
    const key = open(
      masterKey,
      Buffer.from(wrapped, "base64"),
      Buffer.from(`v${ENVELOPE_VERSION}\0kek\0${id}`),
    );
    return { id, key };
  } catch (error) {
    throw new DecryptionError({ cause: error });
  }
}

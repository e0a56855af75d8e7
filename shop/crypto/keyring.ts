import { randomBytes } from "node:crypto";
import { desc, eq } from "drizzle-orm";
import {
  DecryptionError,
  decryptField,
  encryptField,
  type FieldContext,
  generateKey,
  type Kek,
  unwrapKek,
  wrapKek,
} from "../../core/crypto/envelope.ts";
import type { Db } from "../../db/open.ts";
import { keyEncryptionKeys } from "../../db/schema/shop.ts";

/** How long the running shop trusts its idea of the active key before asking the database again. */
const ACTIVE_KEY_TTL_MS = 2_000;

/**
 * The shop's key-encryption keys, kept in the database wrapped by the master key, so a
 * `keys rotate` in another process is seen here: new writes pick up the new active key
 * within ACTIVE_KEY_TTL_MS, and blobs naming a key not yet loaded trigger a reload.
 */
export class Keyring {
  private readonly keys = new Map<string, Buffer>();
  private active: { kek: Kek; checkedAt: number } | undefined;

  constructor(
    private readonly db: Db,
    private readonly masterKey: Buffer,
    private readonly now: () => number = Date.now,
  ) {}

  /** Loads every key; creates the first one on an empty keyring. */
  async init(): Promise<void> {
    await this.reload();
    if (!this.active) await this.rotate();
  }

  /** Encrypts a field under the active key. */
  async encrypt(plaintext: string, ctx: FieldContext): Promise<string> {
    return encryptField(plaintext, ctx, await this.activeKey());
  }

  /** Decrypts a field; throws DecryptionError (generic) on any failure. */
  async decrypt(blob: string, ctx: FieldContext): Promise<string> {
    try {
      return decryptField(blob, ctx, this.lookup);
    } catch (error) {
      if (!(error instanceof DecryptionError)) throw error;
      // Perhaps the blob names a key created after we loaded ours.
      const before = this.keys.size;
      await this.reload();
      if (this.keys.size === before) throw error;
      return decryptField(blob, ctx, this.lookup);
    }
  }

  readonly lookup = (id: string): Buffer | undefined => this.keys.get(id);

  /** The key that wraps new data keys. */
  async activeKey(): Promise<Kek> {
    if (!this.active || this.now() - this.active.checkedAt >= ACTIVE_KEY_TTL_MS) await this.reload();
    if (!this.active) throw new Error("keyring is empty: call init() first");
    return this.active.kek;
  }

  /** Makes a new active key; older keys stay (retired) so their blobs remain readable. */
  async rotate(): Promise<Kek> {
    const kek: Kek = {
      id: `kek-${Date.now().toString(36)}-${randomBytes(4).toString("hex")}`,
      key: generateKey(),
    };
    await this.db.transaction(async (tx) => {
      await tx
        .update(keyEncryptionKeys)
        .set({ state: "retired" })
        .where(eq(keyEncryptionKeys.state, "active"));
      await tx
        .insert(keyEncryptionKeys)
        .values({ id: kek.id, wrappedKey: wrapKek(kek, this.masterKey), state: "active" });
    });
    await this.reload();
    return kek;
  }

  private async reload(): Promise<void> {
    const rows = await this.db.select().from(keyEncryptionKeys).orderBy(desc(keyEncryptionKeys.createdAt));
    let active: Kek | undefined;
    for (const row of rows) {
      const kek = this.keys.has(row.id)
        ? { id: row.id, key: this.keys.get(row.id)! }
        : unwrapKek(row.id, row.wrappedKey, this.masterKey);
      this.keys.set(kek.id, kek.key);
      if (row.state === "active" && !active) active = kek;
    }
    this.active = active ? { kek: active, checkedAt: this.now() } : undefined;
  }
}

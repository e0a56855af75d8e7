import type { Db } from "../../db/open.ts";
import type { Keyring } from "./keyring.ts";
import { rewrapAll } from "./rewrap.ts";

export interface RotationResult {
  /** The new active key-encryption key. */
  keyId: string;
  /** Blobs whose data key was re-wrapped under it. */
  rewrapped: number;
  /** Blobs no key could open (`table.column:rowId`), left untouched. */
  unreadable: string[];
}

/**
 * Rotates the key-encryption key: a new active key, then every stored data key re-wrapped
 * under it. Safe while shops run on the same database: they keep the old keys for blobs
 * not yet re-wrapped and pick up the new active key within seconds.
 */
export async function rotateKeys(db: Db, keyring: Keyring): Promise<RotationResult> {
  const kek = await keyring.rotate();
  const { rewrapped, unreadable } = await rewrapAll(db, keyring);
  return { keyId: kek.id, rewrapped, unreadable };
}

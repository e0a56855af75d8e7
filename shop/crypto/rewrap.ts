import { and, asc, eq, gt, isNotNull } from "drizzle-orm";
import { blobKeyId, DecryptionError, rewrapField } from "../../core/crypto/envelope.ts";
import type { Db } from "../../db/open.ts";
import { encryptedFields, fieldContext } from "./encrypted-fields.ts";
import type { Keyring } from "./keyring.ts";

const BATCH = 500;

/**
 * Re-wraps every stored data key under the keyring's active key, batch by batch, while the
 * shop keeps running. A row is updated only if its blob is still the one read, so a
 * concurrent write is never overwritten (and, written under an older key, stays readable).
 * A blob that no key can open (corrupted, or tampered with) is left as it is and counted,
 * never allowed to stop the rotation of the others.
 */
export async function rewrapAll(
  db: Db,
  keyring: Keyring,
): Promise<{ rewrapped: number; unreadable: string[] }> {
  const next = await keyring.activeKey();
  let total = 0;
  const unreadable: string[] = [];
  for (const field of encryptedFields) {
    let after = "00000000-0000-0000-0000-000000000000";
    for (;;) {
      const rows = (await db
        .select({ id: field.id, blob: field.column })
        .from(field.table)
        .where(and(isNotNull(field.column), gt(field.id, after)))
        .orderBy(asc(field.id))
        .limit(BATCH)) as Array<{ id: string; blob: string }>;
      if (rows.length === 0) break;
      after = rows[rows.length - 1]!.id;
      for (const row of rows) {
        const ctx = fieldContext(field.tableName, field.columnName, row.id);
        let rewrapped: string;
        try {
          if (blobKeyId(row.blob) === next.id) continue;
          rewrapped = rewrapField(row.blob, ctx, keyring.lookup, next);
        } catch (error) {
          if (!(error instanceof DecryptionError)) throw error;
          unreadable.push(`${field.tableName}.${field.columnName}:${row.id}`);
          continue;
        }
        await db
          .update(field.table)
          .set({ [field.columnKey]: rewrapped })
          .where(and(eq(field.id, row.id), eq(field.column, row.blob)));
        total += 1;
      }
    }
  }
  return { rewrapped: total, unreadable };
}

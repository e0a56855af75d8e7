import { and, asc, eq, gt, isNotNull } from "drizzle-orm";
import { blobKeyId, rewrapField } from "../../core/crypto/envelope.ts";
import type { Db } from "../../db/open.ts";
import { encryptedFields, fieldContext } from "./encrypted-fields.ts";
import type { Keyring } from "./keyring.ts";

const BATCH = 500;

/**
 * Re-wraps every stored data key under the keyring's active key, batch by batch, while the
 * shop keeps running. A row is updated only if its blob is still the one read, so a
 * concurrent write is never overwritten (and, written under an older key, stays readable).
 * Returns how many blobs were re-wrapped.
 */
export async function rewrapAll(db: Db, keyring: Keyring): Promise<number> {
  const next = await keyring.activeKey();
  let total = 0;
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
        if (blobKeyId(row.blob) === next.id) continue;
        const ctx = fieldContext(field.tableName, field.columnName, row.id);
        const rewrapped = rewrapField(row.blob, ctx, keyring.lookup, next);
        await db
          .update(field.table)
          .set({ [field.columnKey]: rewrapped })
          .where(and(eq(field.id, row.id), eq(field.column, row.blob)));
        total += 1;
      }
    }
  }
  return total;
}

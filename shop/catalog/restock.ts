import { lt, sql } from "drizzle-orm";
import type { Db } from "../../db/open.ts";
import { products } from "../../db/schema/shop.ts";

export interface RestockPolicy {
  /** Products with fewer units than this get a delivery. */
  below: number;
  /** Units a delivered product has afterwards. */
  to: number;
}

/**
 * One warehouse delivery: every product with fewer than `below` units is brought back to `to`,
 * in one statement (safe to run from several shop processes at once). Returns the ids restocked,
 * so their cached pages can be forgotten. Without deliveries, run after run of holiday traffic
 * sells the catalog out and the runs stop being comparable: "only 0 in stock" grows from one to
 * the next.
 */
export async function restockLowProducts(db: Db, policy: RestockPolicy): Promise<string[]> {
  const rows = await db
    .update(products)
    // greatest(): a policy whose `to` lies under `below` never takes units away.
    .set({ stock: sql`greatest(${products.stock}, ${policy.to})` })
    .where(lt(products.stock, policy.below))
    .returning({ id: products.id });
  return rows.map((r) => r.id);
}

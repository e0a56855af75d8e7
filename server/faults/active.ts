import { desc, lt } from "drizzle-orm";
import type { FaultChange } from "../../core/faults.ts";
import type { Db } from "../../db/open.ts";
import { type FaultChangeRow, faultChanges } from "../../db/schema/hub.ts";
import { faultChangeFor } from "./shared.ts";

/** More distinct switch names than the shop has; the rows are one per name, so this only bounds. */
const MAX_SWITCHES = 200;

/** A recorded change as the API gives it. */
export function changeOfRow(r: FaultChangeRow): FaultChange {
  return {
    at: r.at,
    fault: r.fault,
    action: r.action === "clear" ? "clear" : "set",
    by: r.by,
    detail: r.detail,
    ...(r.action === "set" ? { expiresAt: r.expiresAt } : {}),
  };
}

/**
 * The switches flipped on through the hub and still on just before `at` (epoch ms), each as its
 * last recorded "set" before `at`, oldest first, as `viewer` may see it (faultChangeFor). A later
 * clear of that switch, or of every switch ("all"), turns it off, and so does the switch's own
 * expiry at the shop (its expiresAt) at or before `at`.
 */
export async function faultsActiveAt(db: Db, at: number, viewer: string): Promise<FaultChange[]> {
  const last = await db
    .selectDistinctOn([faultChanges.fault])
    .from(faultChanges)
    .where(lt(faultChanges.at, at))
    .orderBy(faultChanges.fault, desc(faultChanges.at), desc(faultChanges.id))
    .limit(MAX_SWITCHES);
  const allCleared = last.find((r) => r.fault === "all");
  const after = (r: (typeof last)[number]) =>
    !allCleared || r.at > allCleared.at || (r.at === allCleared.at && r.id > allCleared.id);
  return last
    .filter((r) => r.fault !== "all" && r.action === "set" && after(r))
    .filter((r) => r.expiresAt === null || r.expiresAt > at)
    .sort((a, b) => a.at - b.at || a.id - b.id)
    .map((r) => faultChangeFor(changeOfRow(r), r.projectId, viewer));
}

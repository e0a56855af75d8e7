import { asc, eq, gt, isNull, lte, or, type SQL } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { AppError } from "../../core/http/app-error.ts";
import { parseOr400 } from "../../core/http/validate.ts";
import { StorableInstantSchema } from "../../core/instant.ts";
import type { Db } from "../../db/open.ts";
import { customers } from "../../db/schema/shop.ts";
import { jsonBody } from "../http/json-body.ts";

const ListQuery = z.object({
  status: z.enum(["all", "active", "expired"]).default("all"),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
const IdParam = z.object({ id: z.uuid() });
const PatchSchema = z.object({ expiresAt: StorableInstantSchema.nullable() });

/** A customer account as admins see it: no PII (names, addresses and phones stay sealed). */
interface CustomerAccountView {
  id: string;
  email: string;
  expiresAt: string | null;
  expired: boolean;
}

const view = (
  row: { id: string; email: string; accessExpiresAt: Date | null },
  now: Date,
): CustomerAccountView => ({
  id: row.id,
  email: row.email,
  expiresAt: row.accessExpiresAt?.toISOString() ?? null,
  expired: row.accessExpiresAt !== null && row.accessExpiresAt <= now,
});

/**
 * /admin/customers (mounted behind the admin bearer): list accounts with their expiry
 * (`?status=expired|active|all`) and set or clear one's expiry. From that instant the account
 * cannot log in and its sessions are refused at their next request; nothing is deleted.
 */
export function customerAdminRoutes(db: Db, now: () => Date): Hono {
  const app = new Hono();
  const columns = { id: customers.id, email: customers.email, accessExpiresAt: customers.accessExpiresAt };

  app.get("/", async (c) => {
    const q = parseOr400(ListQuery, c.req.query(), "query");
    const at = now();
    const where: Record<typeof q.status, SQL | undefined> = {
      all: undefined,
      expired: lte(customers.accessExpiresAt, at),
      active: or(isNull(customers.accessExpiresAt), gt(customers.accessExpiresAt, at)),
    };
    const rows = await db
      .select(columns)
      .from(customers)
      .where(where[q.status])
      .orderBy(asc(customers.email))
      .limit(q.limit);
    return c.json({ customers: rows.map((r) => view(r, at)) });
  });

  app.patch("/:id", async (c) => {
    const { id } = parseOr400(IdParam, c.req.param(), "params");
    const { expiresAt } = await jsonBody(c, PatchSchema);
    const [row] = await db
      .update(customers)
      .set({ accessExpiresAt: expiresAt === null ? null : new Date(expiresAt) })
      .where(eq(customers.id, id))
      .returning(columns);
    if (!row) throw new AppError("not_found", `no customer ${id}`);
    return c.json({ customer: view(row, now()) });
  });
  return app;
}

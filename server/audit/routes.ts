import { Hono } from "hono";
import { z } from "zod";
import { MAX_AUDIT_PAGE } from "../../core/api/audit.ts";
import { parseOr400 } from "../../core/http/validate.ts";
import { requireRole } from "../http/auth.ts";
import type { HubEnv } from "../http/env.ts";
import type { AuditLog } from "./audit-log.ts";

const AuditQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_AUDIT_PAGE).default(100),
  before: z.coerce.number().int().positive().optional(),
});

/** Admin only: GET /audit?limit=&before= (newest first; `next` is the cursor for the next page). */
export function auditRoutes(audit: AuditLog): Hono<HubEnv> {
  const app = new Hono<HubEnv>();
  app.use("/audit", requireRole("admin"));
  app.get("/audit", async (c) => {
    const { limit, before } = parseOr400(AuditQuerySchema, c.req.query(), "query");
    return c.json(await audit.page(limit, before));
  });
  return app;
}

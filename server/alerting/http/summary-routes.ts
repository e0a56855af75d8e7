import { Hono } from "hono";
import type { Db } from "../../../db/open.ts";
import { requireRole } from "../../http/auth.ts";
import type { HubEnv } from "../../http/env.ts";
import type { AlertingService } from "../service.ts";
import { managerSummary } from "../summary.ts";

/** GET /summary: the manager summary. */
export function summaryRoutes(db: Db, service: AlertingService, now: () => number): Hono<HubEnv> {
  const app = new Hono<HubEnv>();
  app.get("/summary", requireRole("viewer"), async (c) =>
    c.json(
      await managerSummary(db, service.alertStore, await service.rules.list(), service.engine.list(), now()),
    ),
  );
  return app;
}

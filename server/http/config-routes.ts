import { Hono } from "hono";
import type { HubConfigView } from "../../core/api/hub-config.ts";
import { requireRole } from "./auth.ts";
import type { HubEnv } from "./env.ts";

/** GET /config (any logged-in user): the settings the dashboard's defaults come from. */
export function configRoutes(view: () => HubConfigView): Hono<HubEnv> {
  const app = new Hono<HubEnv>();
  app.get("/config", requireRole("viewer"), (c) => c.json(view()));
  return app;
}

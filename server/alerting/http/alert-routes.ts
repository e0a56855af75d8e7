import { Hono } from "hono";
import { z } from "zod";
import { alertStates } from "../../../core/alert.ts";
import { parseOr400 } from "../../../core/http/validate.ts";
import { requireRole } from "../../http/auth.ts";
import type { HubEnv } from "../../http/env.ts";
import { projectOf } from "../../projects/scope.ts";
import { alertInProject } from "../project-label.ts";
import type { AlertingService } from "../service.ts";
import { actor } from "./principal.ts";

const ListQuery = z.object({ state: z.enum(alertStates).optional() });
const HistoryQuery = z.object({
  from: z.coerce.number().int().nonnegative().optional(),
  to: z.coerce.number().int().nonnegative().optional(),
  fingerprint: z.string().max(32).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

/** GET /alerts, POST /alerts/:fingerprint/ack, GET /alerts/history. */
export function alertRoutes(service: AlertingService): Hono<HubEnv> {
  const app = new Hono<HubEnv>();
  app.get("/alerts", requireRole("viewer"), (c) => {
    const { state } = parseOr400(ListQuery, c.req.query(), "query");
    const project = projectOf(c);
    const alerts = service.engine
      .list()
      .filter((a) => alertInProject(a.labels, project) && (state === undefined || a.state === state));
    return c.json({ alerts });
  });
  app.get("/alerts/history", requireRole("viewer"), async (c) => {
    const q = parseOr400(HistoryQuery, c.req.query(), "query");
    return c.json({
      events: await service.alertStore.history({ ...q, projectId: projectOf(c).id }),
    });
  });
  app.post("/alerts/:fingerprint/ack", requireRole("engineer"), async (c) => {
    const fingerprint = parseOr400(
      z.string().regex(/^[0-9a-f]{16}$/),
      c.req.param("fingerprint"),
      "params.fingerprint",
    );
    return c.json({ alert: await service.acknowledge(fingerprint, actor(c), projectOf(c)) });
  });
  return app;
}

import { Hono } from "hono";
import { z } from "zod";
import { parseOr400 } from "../../../core/http/validate.ts";
import type { Db } from "../../../db/open.ts";
import { requireRole } from "../../http/auth.ts";
import type { HubEnv } from "../../http/env.ts";
import { projectOf } from "../../projects/scope.ts";
import { alertInProject } from "../project-label.ts";
import type { AlertingService } from "../service.ts";
import { managerSummary } from "../summary.ts";

const SummaryQuery = z.object({ profile: z.string().min(1).max(200).optional() });

/** GET /summary[?profile=NAME]: the manager summary. */
export function summaryRoutes(db: Db, service: AlertingService, now: () => number): Hono<HubEnv> {
  const app = new Hono<HubEnv>();
  app.get("/summary", requireRole("viewer"), async (c) => {
    const { profile } = parseOr400(SummaryQuery, c.req.query(), "query");
    const at = now();
    const project = projectOf(c);
    const alerts = service.engine.list().filter((a) => alertInProject(a.labels, project));
    // Figures from the database, not this replica's memory: a follower shows what the leader measured.
    return c.json(
      await managerSummary(
        db,
        service.alertStore,
        project,
        await service.rules.list(project.id),
        alerts,
        at,
        {
          profile,
          measured: await service.measurements.load(at),
        },
      ),
    );
  });
  return app;
}

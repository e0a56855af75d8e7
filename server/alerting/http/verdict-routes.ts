import { Hono, type MiddlewareHandler } from "hono";
import { z } from "zod";
import { AppError } from "../../../core/http/app-error.ts";
import { parseOr400 } from "../../../core/http/validate.ts";
import type { Db } from "../../../db/open.ts";
import { roleAtLeast } from "../../auth/roles.ts";
import type { HubEnv } from "../../http/env.ts";
import { projectOf } from "../../projects/scope.ts";
import { verdictOfRun } from "../run-verdict.ts";
import type { AlertingService } from "../service.ts";

const RunId = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_.:-]+$/);

/** Viewers read it in the dashboard; the generator (agent token) writes it into its JUnit file. */
const viewerOrAgent: MiddlewareHandler<HubEnv> = async (c, next) => {
  const p = c.get("principal");
  if (!p) throw new AppError("unauthorized", "log in or send an agent token");
  if (p.kind === "user" && !roleAtLeast(p.role, "viewer"))
    throw new AppError("forbidden", "needs the viewer role");
  await next();
};

/** GET /runs/:id/verdict: thresholds and the alerts that fired during the run, in one verdict. */
export function verdictRoutes(db: Db, service: AlertingService, now: () => number): Hono<HubEnv> {
  const app = new Hono<HubEnv>();
  app.get("/runs/:id/verdict", viewerOrAgent, async (c) => {
    const id = parseOr400(RunId, c.req.param("id"), "params.id");
    const project = projectOf(c);
    return c.json(await verdictOfRun(db, id, await service.rules.list(project.id), now(), project.id));
  });
  return app;
}

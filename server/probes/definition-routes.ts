import { Hono } from "hono";
import { z } from "zod";
import { AppError } from "../../core/http/app-error.ts";
import { parseOr400 } from "../../core/http/validate.ts";
import { type Probe, ProbeSchema } from "../../core/probe.ts";
import type { Db } from "../../db/open.ts";
import { requireAgent, requireRole } from "../http/auth.ts";
import type { HubEnv } from "../http/env.ts";
import { jsonBody } from "../http/json-body.ts";
import { projectOf } from "../projects/scope.ts";
import { ProbeDefinitions } from "./definitions.ts";
import { type AllowedTargets, probeTargetProblem } from "./targets.ts";

/**
 * A probe as the probes process checks it (`probes --check` uses the same core schema). Probes
 * the hub serves may not read the probes process's environment: `{{env.…}}` would let anyone
 * with the ops role send the process's secrets to a target they chose.
 */
const servedProbe = ProbeSchema.refine((p) => !JSON.stringify(p).includes("{{env."), {
  message: "probes defined on the hub may not use {{env.…}} (use a probe file on the probes host)",
});
const CreateSchema = z.strictObject({ probe: servedProbe, paused: z.boolean().default(false) });
const UpdateSchema = z
  .strictObject({ probe: servedProbe.optional(), paused: z.boolean().optional() })
  .refine((b) => b.probe !== undefined || b.paused !== undefined, { message: "give probe and/or paused" });
const NameSchema = z.object({ name: z.string().min(1).max(100) });

/**
 * Probe definitions kept by the hub: anyone logged in reads them, ops add, edit, pause and
 * delete them, and every probes process polls GET /probes/config with its agent token.
 * Mount before probeRoutes: its viewer-only middleware on /probes/* would turn agents away.
 */
export function probeDefinitionRoutes({ db, allowed }: { db: Db; allowed: AllowedTargets }): Hono<HubEnv> {
  const store = new ProbeDefinitions(db);
  const checkTargets = (probe: Probe | undefined) => {
    const problem = probe && probeTargetProblem(probe, allowed);
    if (problem) throw new AppError("bad_request", problem);
  };
  const app = new Hono<HubEnv>();
  const by = (c: { get(key: "principal"): HubEnv["Variables"]["principal"] }) => {
    const p = c.get("principal");
    return p?.kind === "user" ? p.email : null;
  };

  /** What probes processes run, as a probe file (JSON). */
  app.get("/probes/config", requireAgent(), async (c) =>
    c.json({ probes: await store.served(projectOf(c).id) }),
  );

  app.get("/probes/definitions", requireRole("viewer"), async (c) =>
    c.json({ definitions: await store.list(projectOf(c).id) }),
  );

  app.post("/probes/definitions", requireRole("ops"), async (c) => {
    const body = await jsonBody(c, CreateSchema);
    checkTargets(body.probe);
    const created = await store.create(projectOf(c).id, body.probe, body.paused, by(c));
    if (!created) throw new AppError("conflict", `a probe named ${body.probe.name} exists; edit it instead`);
    return c.json(created, 201);
  });

  app.patch("/probes/definitions/:name", requireRole("ops"), async (c) => {
    const { name } = parseOr400(NameSchema, c.req.param(), "params");
    const body = await jsonBody(c, UpdateSchema);
    if (body.probe && body.probe.name !== name)
      throw new AppError("bad_request", `body.probe.name: must stay ${name} (delete and add to rename)`);
    checkTargets(body.probe);
    const updated = await store.update(projectOf(c).id, name, body, by(c));
    if (!updated) throw new AppError("not_found", `no probe definition ${name}`);
    return c.json(updated);
  });

  app.delete("/probes/definitions/:name", requireRole("ops"), async (c) => {
    const { name } = parseOr400(NameSchema, c.req.param(), "params");
    if (!(await store.delete(projectOf(c).id, name)))
      throw new AppError("not_found", `no probe definition ${name}`);
    return c.body(null, 204);
  });
  return app;
}

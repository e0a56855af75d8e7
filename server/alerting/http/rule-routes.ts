import { Hono } from "hono";
import { z } from "zod";
import { parseOr400 } from "../../../core/http/validate.ts";
import { RuleBodySchema } from "../../../core/rule.ts";
import { requireRole } from "../../http/auth.ts";
import type { HubEnv } from "../../http/env.ts";
import { jsonBody } from "../../http/json-body.ts";
import { projectOf } from "../../projects/scope.ts";
import type { AlertingService } from "../service.ts";
import { actor } from "./principal.ts";

const id = (value: string | undefined) => parseOr400(z.uuid(), value, "params.id");

/** /rules CRUD: anyone may read, engineers and up may change. A change applies at the next evaluation. */
export function ruleRoutes(service: AlertingService): Hono<HubEnv> {
  const app = new Hono<HubEnv>();
  const changed = () => {
    service.engine.invalidateRules();
    service.poke();
  };
  app.get("/rules", requireRole("viewer"), async (c) =>
    c.json({ rules: await service.rules.list(projectOf(c).id) }),
  );
  app.get("/rules/:id", requireRole("viewer"), async (c) =>
    c.json({ rule: await service.rules.get(id(c.req.param("id")), projectOf(c).id) }),
  );
  app.post("/rules", requireRole("engineer"), async (c) => {
    const rule = await service.rules.create(
      await jsonBody(c, RuleBodySchema),
      actor(c),
      false,
      projectOf(c).id,
    );
    changed();
    return c.json({ rule }, 201);
  });
  app.put("/rules/:id", requireRole("engineer"), async (c) => {
    const ruleId = id(c.req.param("id"));
    const rule = await service.rules.update(
      ruleId,
      await jsonBody(c, RuleBodySchema),
      actor(c),
      projectOf(c).id,
    );
    changed();
    return c.json({ rule });
  });
  app.delete("/rules/:id", requireRole("engineer"), async (c) => {
    await service.rules.remove(id(c.req.param("id")), projectOf(c).id);
    changed();
    return c.body(null, 204);
  });
  return app;
}

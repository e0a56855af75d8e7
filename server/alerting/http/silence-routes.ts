import { Hono } from "hono";
import { z } from "zod";
import { parseOr400 } from "../../../core/http/validate.ts";
import { SilenceInputSchema, silenceState } from "../../../core/silence.ts";
import type { AuditRecorder } from "../../audit/audit-log.ts";
import { requireRole } from "../../http/auth.ts";
import type { HubEnv } from "../../http/env.ts";
import { jsonBody } from "../../http/json-body.ts";
import { projectOf } from "../../projects/scope.ts";
import type { AlertingService } from "../service.ts";
import { actor } from "./principal.ts";

const ListQuery = z.object({ all: z.enum(["0", "1", "true", "false"]).optional() });

/**
 * GET /silences (current, or ?all=1), POST /silences, DELETE /silences/:id (expires it now).
 * Creating and expiring a silence is audited.
 */
export function silenceRoutes(
  service: AlertingService,
  now: () => number,
  audit?: AuditRecorder,
): Hono<HubEnv> {
  const app = new Hono<HubEnv>();
  const changed = () => {
    service.engine.invalidateSilences();
    service.poke();
  };
  const view = <S extends { startsAt: number; endsAt: number }>(s: S) => ({
    ...s,
    state: silenceState(s, now()),
  });
  app.get("/silences", requireRole("viewer"), async (c) => {
    const { all } = parseOr400(ListQuery, c.req.query(), "query");
    const list = await service.silences.list(all === "1" || all === "true", projectOf(c).id);
    return c.json({ silences: list.map(view) });
  });
  app.post("/silences", requireRole("engineer"), async (c) => {
    const silence = await service.silences.create(
      await jsonBody(c, SilenceInputSchema),
      actor(c),
      projectOf(c).id,
    );
    changed();
    await audit?.record({
      actor: actor(c),
      action: "silence.created",
      target: silence.id,
      detail: {
        matchers: silence.matchers,
        startsAt: silence.startsAt,
        endsAt: silence.endsAt,
        comment: silence.comment,
      },
    });
    return c.json({ silence: view(silence) }, 201);
  });
  app.delete("/silences/:id", requireRole("engineer"), async (c) => {
    const silence = await service.silences.expire(
      parseOr400(z.uuid(), c.req.param("id"), "params.id"),
      projectOf(c).id,
    );
    changed();
    await audit?.record({ actor: actor(c), action: "silence.expired", target: silence.id });
    return c.json({ silence: view(silence) });
  });
  return app;
}

import { type Context, Hono } from "hono";
import { z } from "zod";
import { ChannelInputSchema, RoutingBodySchema, routeChannels } from "../../../core/channel.ts";
import { AppError } from "../../../core/http/app-error.ts";
import { parseOr400 } from "../../../core/http/validate.ts";
import type { AuditRecorder } from "../../audit/audit-log.ts";
import { requireRole } from "../../http/auth.ts";
import type { HubEnv } from "../../http/env.ts";
import { jsonBody } from "../../http/json-body.ts";
import { defaultRoute } from "../../notify/routing-store.ts";
import { projectOf } from "../../projects/scope.ts";
import { defaultInhibitRules } from "../defaults.ts";
import type { AlertingService } from "../service.ts";
import { actor } from "./principal.ts";

const DeliveriesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  channel: z.string().max(100).optional(),
});

/**
 * /channels (create, edit, delete, send a test) and /routes (admin), /deliveries (engineer and
 * up). Secrets, channel URLs included, are never returned and are redacted from delivery errors.
 * Changes to channels and routing are audited, by name and kind only (never a secret).
 */
export function channelRoutes(service: AlertingService, audit?: AuditRecorder): Hono<HubEnv> {
  const app = new Hono<HubEnv>();
  const audited = (c: Context<HubEnv>, action: string, target: string, detail?: Record<string, unknown>) =>
    audit?.record({ actor: actor(c), action, target, ...(detail ? { detail } : {}) });
  const named = (channel: { id: string; name: string; kind?: string }) => `${channel.name} (${channel.id})`;
  app.get("/channels", requireRole("admin"), async (c) => {
    const rows = await service.channels.rows(projectOf(c).id);
    return c.json({ channels: rows.map((r) => service.channels.view(r)) });
  });
  app.post("/channels", requireRole("admin"), async (c) => {
    const channel = await service.channels.create(
      await jsonBody(c, ChannelInputSchema),
      "api",
      projectOf(c).id,
    );
    await service.reloadChannels();
    await audited(c, "channel.created", named(channel), { kind: channel.kind, enabled: channel.enabled });
    return c.json({ channel }, 201);
  });
  // An edit: secret fields left out or empty keep their stored value (they are never shown).
  app.put("/channels/:id", requireRole("admin"), async (c) => {
    const id = parseOr400(z.uuid(), c.req.param("id"), "params.id");
    const patch = await jsonBody(c, z.record(z.string(), z.unknown()));
    const channel = await service.channels.update(id, patch, projectOf(c).id);
    await service.reloadChannels();
    // The names of the fields changed, never their values (some are secrets).
    await audited(c, "channel.updated", named(channel), { fields: Object.keys(patch).sort() });
    return c.json({ channel });
  });
  app.post("/channels/:id/test", requireRole("admin"), async (c) => {
    const id = parseOr400(z.uuid(), c.req.param("id"), "params.id");
    return c.json({ result: await service.testChannel(id, actor(c), projectOf(c)) });
  });
  app.delete("/channels/:id", requireRole("admin"), async (c) => {
    const removed = await service.channels.remove(
      parseOr400(z.uuid(), c.req.param("id"), "params.id"),
      projectOf(c).id,
    );
    await service.reloadChannels();
    await audited(c, "channel.deleted", named(removed), { kind: removed.kind });
    return c.body(null, 204);
  });
  // Each project's routing is its own: its tree names only its own channels and gets only its alerts.
  app.get("/routes", requireRole("admin"), async (c) => {
    const project = projectOf(c);
    const doc = await service.routing.get(project.id);
    if (doc) return c.json(doc);
    const rows = await service.channels.rows(project.id);
    return c.json({ route: defaultRoute(rows), inhibitRules: defaultInhibitRules, source: "default" });
  });
  app.put("/routes", requireRole("admin"), async (c) => {
    const { source: _shown, ...doc } = await jsonBody(c, RoutingBodySchema);
    // A route to a channel the project does not have would deliver nowhere: refused, naming it.
    const names = new Set((await service.channels.rows(projectOf(c).id)).map((r) => r.name));
    const unknown = routeChannels(doc.route).find((r) => !names.has(r.channel));
    if (unknown)
      throw new AppError(
        "bad_request",
        `body.${unknown.path}: no channel named "${unknown.channel}" in this project (${
          names.size === 0
            ? "it has no channels yet: add one first"
            : `its channels: ${[...names].sort().join(", ")}`
        })`,
      );
    await service.routing.put(projectOf(c).id, doc, "api");
    await service.reloadChannels();
    await audited(c, "routing.replaced", "routes");
    return c.json({ ...doc, source: "api" });
  });
  app.delete("/routes", requireRole("admin"), async (c) => {
    await service.routing.clear(projectOf(c).id);
    await service.reloadChannels();
    await audited(c, "routing.cleared", "routes");
    return c.body(null, 204);
  });
  app.get("/deliveries", requireRole("engineer"), async (c) => {
    const q = parseOr400(DeliveriesQuery, c.req.query(), "query");
    return c.json({ deliveries: await service.deliveries.list(projectOf(c), q.limit, q.channel) });
  });
  app.get("/deliveries/captured-mail", requireRole("engineer"), async (c) => {
    return c.json({ messages: await service.deliveries.capturedMail(projectOf(c).id, 100) });
  });
  return app;
}

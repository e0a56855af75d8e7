import { Hono } from "hono";
import { z } from "zod";
import { AppError } from "../../core/http/app-error.ts";
import { parseOr400 } from "../../core/http/validate.ts";
import { StorableInstantSchema } from "../../core/instant.ts";
import type { User } from "../../db/schema/hub.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import { requireRole } from "../http/auth.ts";
import type { HubEnv, Principal } from "../http/env.ts";
import { jsonBody } from "../http/json-body.ts";
import { projectOf } from "../projects/scope.ts";
import type { AgentTokens } from "./agent-tokens.ts";
import { roles } from "./roles.ts";
import type { Sessions } from "./sessions.ts";
import { type Users, userActive, userChangeDetail, userView } from "./users.ts";

const expiresAt = StorableInstantSchema.nullable();
const CreateUserSchema = z.strictObject({
  email: z.email().max(320),
  role: z.enum(roles),
  expiresAt: expiresAt.optional(),
});
const PatchUserSchema = z.strictObject({ role: z.enum(roles).optional(), expiresAt: expiresAt.optional() });
const IdSchema = z.object({ id: z.uuid() });
const CreateTokenSchema = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1)
    .max(100)
    // The hub names each run's own token so; one of ours by that name would stop or revoke with the run.
    .refine((name) => !name.startsWith("run:"), "names starting with run: are the hub's own run tokens"),
  expiresAt: expiresAt.optional(),
});

const toDate = (v: string | null | undefined) =>
  v === undefined ? undefined : v === null ? null : new Date(v);

/**
 * A user or token created already expired could never be used (a token's secret would be shown
 * for nothing): refused, naming the field. A PATCH may still set a past expiry: that ends a
 * user's access now.
 */
function futureExpiry(expiresAt: string | null | undefined, what: string, now: number): void {
  if (expiresAt && Date.parse(expiresAt) <= now)
    throw new AppError(
      "bad_request",
      `body.expiresAt: ${expiresAt} is in the past: a ${what} created already expired could never be used`,
    );
}

/** Who the audit log names for a change: the admin's email (routes here are admin-only). */
const actorOf = (p: Principal | null | undefined) => (p?.kind === "user" ? p.email : (p?.name ?? "unknown"));

/** Admin-only: users (GET/POST /users, PATCH/DELETE /users/:id) and agent tokens; every change is audited. */
export function adminRoutes(deps: {
  users: Users;
  sessions: Sessions;
  agents: AgentTokens;
  audit: AuditLog;
  /** The hub's clock (tests move it). */
  now: () => number;
}): Hono<HubEnv> {
  const app = new Hono<HubEnv>();
  app.use("/users", requireRole("admin"));
  app.use("/users/*", requireRole("admin"));
  app.use("/agent-tokens", requireRole("admin"));
  app.use("/agent-tokens/*", requireRole("admin"));

  /**
   * Refuses a change that would leave no active admin (the only admin demoting or expiring
   * themself): nobody could then manage users from the dashboard or the API.
   */
  const keepAnAdmin = async (user: User, change: z.infer<typeof PatchUserSchema>) => {
    const now = deps.now();
    if (user.role !== "admin" || !userActive(user, now)) return;
    const demoted = change.role !== undefined && change.role !== "admin";
    const expired = change.expiresAt != null && Date.parse(change.expiresAt) <= now;
    if (!demoted && !expired) return;
    const others = (await deps.users.list()).filter(
      (u) => u.id !== user.id && u.role === "admin" && userActive(u, now),
    );
    if (others.length > 0) return;
    const field = demoted ? "body.role" : "body.expiresAt";
    throw new AppError(
      "conflict",
      `${field}: ${user.email} is the only active admin; make another user admin first, or nobody could manage users`,
    );
  };

  app.get("/users", async (c) =>
    c.json({ users: (await deps.users.list()).map((u) => userView(u, deps.now())) }),
  );

  app.post("/users", async (c) => {
    const body = await jsonBody(c, CreateUserSchema);
    futureExpiry(body.expiresAt, "user", deps.now());
    const user = await deps.users.create({ ...body, expiresAt: toDate(body.expiresAt) });
    if (!user) throw new AppError("conflict", `a user with email ${body.email} exists`);
    const view = userView(user, deps.now());
    await deps.audit.record({
      actor: actorOf(c.get("principal")),
      action: "user.created",
      target: view.email,
      detail: { role: view.role, expiresAt: view.expiresAt },
    });
    return c.json(view, 201);
  });

  app.patch("/users/:id", async (c) => {
    const { id } = parseOr400(IdSchema, c.req.param(), "params");
    const body = await jsonBody(c, PatchUserSchema);
    const before = await deps.users.byId(id);
    if (before) await keepAnAdmin(before, body);
    const user = await deps.users.update(id, { role: body.role, expiresAt: toDate(body.expiresAt) });
    if (!before || !user) throw new AppError("not_found", `no user ${id}`);
    const was = userView(before, deps.now());
    const now = userView(user, deps.now());
    const detail = userChangeDetail(was, now);
    if (Object.keys(detail).length > 0) {
      await deps.audit.record({
        actor: actorOf(c.get("principal")),
        action: "user.changed",
        target: now.email,
        detail,
      });
    }
    // A changed role or expiry applies at once: the user logs in again under the new terms.
    await deps.sessions.endAllOf(id);
    return c.json(userView(user, deps.now()));
  });

  app.delete("/users/:id", async (c) => {
    const { id } = parseOr400(IdSchema, c.req.param(), "params");
    const principal = c.get("principal");
    if (principal?.kind === "user" && principal.userId === id) {
      throw new AppError("conflict", "you cannot delete yourself");
    }
    const user = await deps.users.byId(id);
    if (!user || !(await deps.users.delete(id))) throw new AppError("not_found", `no user ${id}`);
    await deps.audit.record({ actor: actorOf(principal), action: "user.deleted", target: user.email });
    return c.body(null, 204);
  });

  // Agent tokens belong to the request's project; its admins manage them.
  app.get("/agent-tokens", async (c) => c.json({ tokens: await deps.agents.list(projectOf(c).id) }));

  app.post("/agent-tokens", async (c) => {
    const body = await jsonBody(c, CreateTokenSchema);
    futureExpiry(body.expiresAt, "token", deps.now());
    const { name } = body;
    const expires = toDate(body.expiresAt) ?? null;
    const principal = c.get("principal");
    const project = projectOf(c);
    const created = await deps.agents.create(
      name,
      principal?.kind === "user" ? principal.email : null,
      expires,
      project.id,
    );
    const expiresAt = expires?.toISOString() ?? null;
    await deps.audit.record({
      actor: actorOf(principal),
      action: "agent_token.created",
      target: `${name} (${created.id})`,
      detail: { expiresAt, project: project.slug },
    });
    // The only time the token is shown: the hub keeps a hash.
    return c.json({ id: created.id, name, expiresAt, token: created.token }, 201);
  });

  app.delete("/agent-tokens/:id", async (c) => {
    const { id } = parseOr400(IdSchema, c.req.param(), "params");
    const name = await deps.agents.delete(id, projectOf(c).id);
    if (name === null) throw new AppError("not_found", `no agent token ${id}`);
    await deps.audit.record({
      actor: actorOf(c.get("principal")),
      action: "agent_token.revoked",
      target: `${name} (${id})`,
    });
    return c.body(null, 204);
  });
  return app;
}

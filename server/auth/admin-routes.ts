import { Hono } from "hono";
import { z } from "zod";
import { AppError } from "../../core/http/app-error.ts";
import { parseOr400 } from "../../core/http/validate.ts";
import { StorableInstantSchema } from "../../core/instant.ts";
import { requireRole } from "../http/auth.ts";
import type { HubEnv } from "../http/env.ts";
import { jsonBody } from "../http/json-body.ts";
import type { AgentTokens } from "./agent-tokens.ts";
import { roles } from "./roles.ts";
import type { Sessions } from "./sessions.ts";
import { type Users, userView } from "./users.ts";

const expiresAt = StorableInstantSchema.nullable();
const CreateUserSchema = z.object({
  email: z.email().max(320),
  role: z.enum(roles),
  expiresAt: expiresAt.optional(),
});
const PatchUserSchema = z.object({ role: z.enum(roles).optional(), expiresAt: expiresAt.optional() });
const IdSchema = z.object({ id: z.uuid() });
const CreateTokenSchema = z.object({ name: z.string().trim().min(1).max(100) });

const toDate = (v: string | null | undefined) =>
  v === undefined ? undefined : v === null ? null : new Date(v);

/** Admin-only: users (GET/POST /users, PATCH/DELETE /users/:id) and agent tokens. */
export function adminRoutes(deps: { users: Users; sessions: Sessions; agents: AgentTokens }): Hono<HubEnv> {
  const app = new Hono<HubEnv>();
  app.use("/users", requireRole("admin"));
  app.use("/users/*", requireRole("admin"));
  app.use("/agent-tokens", requireRole("admin"));
  app.use("/agent-tokens/*", requireRole("admin"));

  app.get("/users", async (c) => c.json({ users: (await deps.users.list()).map(userView) }));

  app.post("/users", async (c) => {
    const body = await jsonBody(c, CreateUserSchema);
    const user = await deps.users.create({ ...body, expiresAt: toDate(body.expiresAt) });
    if (!user) throw new AppError("conflict", `a user with email ${body.email} exists`);
    return c.json(userView(user), 201);
  });

  app.patch("/users/:id", async (c) => {
    const { id } = parseOr400(IdSchema, c.req.param(), "params");
    const body = await jsonBody(c, PatchUserSchema);
    const user = await deps.users.update(id, { role: body.role, expiresAt: toDate(body.expiresAt) });
    if (!user) throw new AppError("not_found", `no user ${id}`);
    // A changed role or expiry applies at once: the user logs in again under the new terms.
    await deps.sessions.endAllOf(id);
    return c.json(userView(user));
  });

  app.delete("/users/:id", async (c) => {
    const { id } = parseOr400(IdSchema, c.req.param(), "params");
    const principal = c.get("principal");
    if (principal?.kind === "user" && principal.userId === id) {
      throw new AppError("conflict", "you cannot delete yourself");
    }
    if (!(await deps.users.delete(id))) throw new AppError("not_found", `no user ${id}`);
    return c.body(null, 204);
  });

  app.get("/agent-tokens", async (c) => c.json({ tokens: await deps.agents.list() }));

  app.post("/agent-tokens", async (c) => {
    const { name } = await jsonBody(c, CreateTokenSchema);
    const principal = c.get("principal");
    const created = await deps.agents.create(name, principal?.kind === "user" ? principal.email : null);
    // The only time the token is shown: the hub keeps a hash.
    return c.json({ id: created.id, name, token: created.token }, 201);
  });

  app.delete("/agent-tokens/:id", async (c) => {
    const { id } = parseOr400(IdSchema, c.req.param(), "params");
    if (!(await deps.agents.delete(id))) throw new AppError("not_found", `no agent token ${id}`);
    return c.body(null, 204);
  });
  return app;
}

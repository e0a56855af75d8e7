import { type Context, Hono } from "hono";
import { z } from "zod";
import { NewProjectSchema, ProjectMemberInputSchema, ProjectSlugSchema } from "../../core/api/projects.ts";
import { AppError } from "../../core/http/app-error.ts";
import { parseOr400 } from "../../core/http/validate.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { Users } from "../auth/users.ts";
import { requireRole } from "../http/auth.ts";
import type { HubEnv, Principal } from "../http/env.ts";
import { jsonBody } from "../http/json-body.ts";
import type { Projects } from "./projects.ts";

const SlugParams = z.object({ slug: ProjectSlugSchema });
const MemberParams = z.object({ slug: ProjectSlugSchema, userId: z.uuid() });

const actorOf = (p: Principal | null | undefined) => (p?.kind === "user" ? p.email : (p?.name ?? "unknown"));

/**
 * Instance-wide (never project-scoped): GET /projects lists the caller's projects with their role
 * in each (an instance admin sees all, as admin); creating projects is for instance admins.
 * A project's members are managed (GET/PUT /projects/:slug/members, DELETE …/:userId) by instance
 * admins and by the project's own admins; anyone else who is not a member gets 404 as for a
 * project that does not exist, a member below admin 403. Every change is audited.
 */
export function projectRoutes(deps: { projects: Projects; users: Users; audit: AuditLog }): Hono<HubEnv> {
  const { projects } = deps;
  const app = new Hono<HubEnv>();

  app.get("/projects", requireRole("viewer"), async (c) => {
    const principal = c.get("principal");
    if (principal?.kind !== "user") throw new AppError("forbidden", "agent tokens cannot use this route");
    const list =
      principal.instanceRole === "admin"
        ? (await projects.list()).map((p) => ({
            id: p.id,
            slug: p.slug,
            name: p.name,
            role: "admin" as const,
          }))
        : await projects.listFor(principal.userId);
    return c.json({ projects: list });
  });

  app.post("/projects", requireRole("admin"), async (c) => {
    const body = await jsonBody(c, NewProjectSchema);
    const row = await projects.create(body.slug, body.name);
    if (!row) throw new AppError("conflict", `a project with slug ${body.slug} exists`);
    await deps.audit.record({
      actor: actorOf(c.get("principal")),
      action: "project.created",
      target: row.slug,
      detail: { name: row.name },
    });
    return c.json({ id: row.id, slug: row.slug, name: row.name }, 201);
  });

  /** The project whose members the caller may manage; throws 404 (not theirs) or 403 (not its admin). */
  const managed = async (c: Context<HubEnv>, slug: string) => {
    const principal = c.get("principal");
    if (principal?.kind !== "user") throw new AppError("forbidden", "agent tokens cannot use this route");
    const row = await projects.bySlug(slug);
    const role =
      principal.instanceRole === "admin" ? "admin" : row && (await projects.roleOf(principal.userId, row.id));
    if (!row || !role) throw new AppError("not_found", `no project ${slug}`);
    if (role !== "admin") throw new AppError("forbidden", `needs the admin role in ${slug}`);
    return row;
  };

  // requireRole("viewer") authenticates and checks CSRF; the project role is checked by managed().
  app.get("/projects/:slug/members", requireRole("viewer"), async (c) => {
    const { slug } = parseOr400(SlugParams, c.req.param(), "params");
    const members = await projects.members((await managed(c, slug)).id);
    return c.json({ members });
  });

  app.put("/projects/:slug/members", requireRole("viewer"), async (c) => {
    const { slug } = parseOr400(SlugParams, c.req.param(), "params");
    const body = await jsonBody(c, ProjectMemberInputSchema);
    const row = await managed(c, slug);
    const user = await deps.users.byEmail(body.email);
    if (!user) throw new AppError("bad_request", `body.email: no user ${body.email} (create the user first)`);
    await projects.setMember(row.id, user.id, body.role);
    await deps.audit.record({
      actor: actorOf(c.get("principal")),
      action: "project.member_set",
      target: `${user.email} in ${row.slug}`,
      detail: { role: body.role },
    });
    return c.json({ userId: user.id, email: user.email, role: body.role });
  });

  app.delete("/projects/:slug/members/:userId", requireRole("viewer"), async (c) => {
    const { slug, userId } = parseOr400(MemberParams, c.req.param(), "params");
    const row = await managed(c, slug);
    // Read before the removal: the audit entry names the person, not an id a reader cannot place.
    const user = await deps.users.byId(userId);
    if (!(await projects.removeMember(row.id, userId))) {
      throw new AppError("not_found", `user ${userId} is not a member of ${slug}`);
    }
    await deps.audit.record({
      actor: actorOf(c.get("principal")),
      action: "project.member_removed",
      target: `${user?.email ?? userId} in ${row.slug}`,
      detail: { userId },
    });
    return c.body(null, 204);
  });
  return app;
}

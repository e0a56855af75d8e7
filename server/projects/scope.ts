import type { Context, MiddlewareHandler } from "hono";
import { DEFAULT_PROJECT_SLUG, PROJECT_HEADER, ProjectSlugSchema } from "../../core/api/projects.ts";
import { AppError } from "../../core/http/app-error.ts";
import type { Role } from "../auth/roles.ts";
import type { HubEnv, Principal } from "../http/env.ts";
import type { Projects } from "./projects.ts";

/** The project a request works in, and the caller's role there. */
export interface ProjectScope {
  id: string;
  slug: string;
}

/** How long an agent's own project is trusted without reading it again. */
const AGENT_PROJECT_TTL_MS = 5000;

/** Answers 404 alike for a project that does not exist and one the caller is not a member of. */
const hidden = (slug: string) => new AppError("not_found", `no project ${slug}`);

/** The project a request names (header, then `?project=`), undefined when none. Throws 400 on a bad slug. */
export function requestedProject(header: string | undefined, query: string | undefined): string | undefined {
  const raw = header ?? query;
  if (raw === undefined || raw === "") return undefined;
  const parsed = ProjectSlugSchema.safeParse(raw);
  if (!parsed.success)
    throw new AppError("bad_request", `project: ${parsed.error.issues[0]?.message ?? "bad slug"}`);
  return parsed.data;
}

/**
 * Resolves the project named by `slug` for `principal`: the project and the principal as it acts
 * there (a user's role becomes their role in the project; instance admins are admins of every
 * project). An agent works only in its token's project, which is also what it gets without a
 * slug; a user without one gets the default project. Throws 404 for a project that is unknown or
 * not the caller's.
 */
export async function resolveProject(
  projects: Projects,
  principal: Principal,
  requested: string | undefined,
): Promise<{ project: ProjectScope; principal: Principal }> {
  const slug = requested ?? DEFAULT_PROJECT_SLUG;
  const row =
    requested === undefined && principal.kind === "agent"
      ? await projects.byId(principal.projectId)
      : await projects.bySlug(slug);
  if (!row) throw hidden(slug);
  const project = { id: row.id, slug: row.slug };
  if (principal.kind === "agent") {
    if (principal.projectId !== row.id) throw hidden(slug);
    return { project, principal };
  }
  const role: Role | undefined =
    principal.instanceRole === "admin" ? "admin" : await projects.roleOf(principal.userId, row.id);
  if (!role) throw hidden(slug);
  return { project, principal: { ...principal, role } };
}

/**
 * Scopes every /api/v1 request but the instance-wide ones (`instancePaths`, prefixes relative to
 * the mount) to one project: sets `project` and replaces the principal's role with its role in
 * that project, so requireRole checks the project role. Anonymous requests pass untouched (the
 * route answers 401).
 */
export function projectScope(
  projects: Projects,
  instancePaths: ReadonlyArray<string>,
  /** Epoch milliseconds (the hub's clock). */
  clock: () => number = Date.now,
): MiddlewareHandler<HubEnv> {
  // An agent without a slug works in its token's project: every ingest batch asked the database
  // for that project again. Remembered briefly, per project id (projects are never renamed here).
  const agentProjects = new Map<string, { project: ProjectScope; until: number }>();
  return async (c, next) => {
    const principal = c.get("principal");
    const path = c.req.path.replace(/^\/api\/v1/, "");
    if (!principal || instancePaths.some((p) => path === p || path.startsWith(`${p}/`))) return next();
    const slug = requestedProject(c.req.header(PROJECT_HEADER), c.req.query("project"));
    const now = clock();
    const known =
      principal.kind === "agent" && slug === undefined ? agentProjects.get(principal.projectId) : undefined;
    if (known && known.until > now) {
      c.set("project", known.project);
      return next();
    }
    const resolved = await resolveProject(projects, principal, slug);
    if (principal.kind === "agent" && slug === undefined) {
      if (agentProjects.size >= 1000) agentProjects.clear();
      agentProjects.set(principal.projectId, {
        project: resolved.project,
        until: now + AGENT_PROJECT_TTL_MS,
      });
    }
    c.set("project", resolved.project);
    c.set("principal", resolved.principal);
    await next();
  };
}

/**
 * The request's project. Every query of project data takes its id from here. Throws (a 500: a
 * wiring bug) on a route projectScope did not scope, rather than falling back to the default
 * project: an unscoped route must never read or write some project's data by accident.
 */
export function projectOf(c: Context): ProjectScope {
  const project = (c as Context<HubEnv>).get("project");
  if (!project)
    throw new Error(`${c.req.method} ${c.req.path} is not project-scoped (server/app.ts INSTANCE_PATHS)`);
  return project;
}

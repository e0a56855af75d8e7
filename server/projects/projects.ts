import { and, asc, eq } from "drizzle-orm";
import { DEFAULT_PROJECT_ID } from "../../core/api/projects.ts";
import type { Db } from "../../db/open.ts";
import { type ProjectRow, projectMembers, projects, users } from "../../db/schema/hub.ts";
import type { Role } from "../auth/roles.ts";

/** A project and the caller's role in it. */
export interface ProjectAccess {
  id: string;
  slug: string;
  name: string;
  role: Role;
}

/** Projects and their members (hub.projects, hub.project_members). */
export class Projects {
  constructor(private readonly db: Db) {}

  async bySlug(slug: string): Promise<ProjectRow | undefined> {
    const [row] = await this.db.select().from(projects).where(eq(projects.slug, slug));
    return row;
  }

  async byId(id: string): Promise<ProjectRow | undefined> {
    const [row] = await this.db.select().from(projects).where(eq(projects.id, id));
    return row;
  }

  list(): Promise<ProjectRow[]> {
    return this.db.select().from(projects).orderBy(asc(projects.slug));
  }

  /** The projects `userId` is a member of, with their role in each, by slug. */
  async listFor(userId: string): Promise<ProjectAccess[]> {
    return this.db
      .select({ id: projects.id, slug: projects.slug, name: projects.name, role: projectMembers.role })
      .from(projectMembers)
      .innerJoin(projects, eq(projects.id, projectMembers.projectId))
      .where(eq(projectMembers.userId, userId))
      .orderBy(asc(projects.slug));
  }

  /** The user's role in the project, or undefined when they are not a member. */
  async roleOf(userId: string, projectId: string): Promise<Role | undefined> {
    const [row] = await this.db
      .select({ role: projectMembers.role })
      .from(projectMembers)
      .where(and(eq(projectMembers.userId, userId), eq(projectMembers.projectId, projectId)));
    return row?.role;
  }

  /** Creates a project; undefined when the slug is taken. */
  async create(slug: string, name: string): Promise<ProjectRow | undefined> {
    const [row] = await this.db.insert(projects).values({ slug, name }).onConflictDoNothing().returning();
    return row;
  }

  async members(projectId: string): Promise<Array<{ userId: string; email: string; role: Role }>> {
    return this.db
      .select({ userId: users.id, email: users.email, role: projectMembers.role })
      .from(projectMembers)
      .innerJoin(users, eq(users.id, projectMembers.userId))
      .where(eq(projectMembers.projectId, projectId))
      .orderBy(asc(users.email));
  }

  /** Adds a member or changes their role. Idempotent. */
  async setMember(projectId: string, userId: string, role: Role): Promise<void> {
    await this.db
      .insert(projectMembers)
      .values({ projectId, userId, role })
      .onConflictDoUpdate({ target: [projectMembers.userId, projectMembers.projectId], set: { role } });
  }

  /** Removes a member; false when they were not one. */
  async removeMember(projectId: string, userId: string): Promise<boolean> {
    const rows = await this.db
      .delete(projectMembers)
      .where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.userId, userId)))
      .returning({ userId: projectMembers.userId });
    return rows.length > 0;
  }
}

/**
 * Keeps a user's role in the default project equal to their instance role, so a hub with one
 * project works as before projects: creating a user or changing their role is all it takes.
 */
export async function mirrorDefaultMembership(db: Db, userId: string, role: Role): Promise<void> {
  await new Projects(db).setMember(DEFAULT_PROJECT_ID, userId, role);
}

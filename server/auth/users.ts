import { asc, eq } from "drizzle-orm";
import type { Db } from "../../db/open.ts";
import { type User, users } from "../../db/schema/hub.ts";
import { mirrorDefaultMembership } from "../projects/projects.ts";
import type { Role } from "./roles.ts";

/** A user as the API shows it. */
export interface UserView {
  id: string;
  email: string;
  role: Role;
  expiresAt: string | null;
  /** Past its expiry at `now`: listed, marked, and refused at its next request, until removed. */
  expired: boolean;
  createdAt: string;
}

export function userView(u: User, now = Date.now()): UserView {
  return {
    id: u.id,
    email: u.email,
    role: u.role,
    expiresAt: u.expiresAt?.toISOString() ?? null,
    expired: !userActive(u, now),
    createdAt: u.createdAt.toISOString(),
  };
}

/** What an audit entry says changed between two views of a user (role, expiry); empty when nothing did. */
export function userChangeDetail(was: UserView, now: UserView): Record<string, unknown> {
  const detail: Record<string, unknown> = {};
  if (was.role !== now.role) detail.role = { from: was.role, to: now.role };
  if (was.expiresAt !== now.expiresAt) detail.expiresAt = { from: was.expiresAt, to: now.expiresAt };
  return detail;
}

/** Emails are compared case-insensitively: stored lower-case. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();

/** True when the user may log in and use sessions at `now`. */
export function userActive(user: Pick<User, "expiresAt">, now: number): boolean {
  return user.expiresAt === null || user.expiresAt.getTime() > now;
}

/** The hub's users table. */
export class Users {
  constructor(private readonly db: Db) {}

  async byEmail(email: string): Promise<User | undefined> {
    const [row] = await this.db
      .select()
      .from(users)
      .where(eq(users.email, normalizeEmail(email)));
    return row;
  }

  async byId(id: string): Promise<User | undefined> {
    const [row] = await this.db.select().from(users).where(eq(users.id, id));
    return row;
  }

  list(): Promise<User[]> {
    return this.db.select().from(users).orderBy(asc(users.email));
  }

  /** Creates a user; returns undefined when the email is taken. */
  async create(input: { email: string; role: Role; expiresAt?: Date | null }): Promise<User | undefined> {
    const [row] = await this.db
      .insert(users)
      .values({ email: normalizeEmail(input.email), role: input.role, expiresAt: input.expiresAt ?? null })
      .onConflictDoNothing()
      .returning();
    if (row) await mirrorDefaultMembership(this.db, row.id, row.role);
    return row;
  }

  /** Creates or updates a user by email (the `users add` command). */
  async upsert(input: { email: string; role: Role; expiresAt?: Date | null }): Promise<User> {
    const values = {
      email: normalizeEmail(input.email),
      role: input.role,
      expiresAt: input.expiresAt ?? null,
    };
    const [row] = await this.db
      .insert(users)
      .values(values)
      .onConflictDoUpdate({ target: users.email, set: { role: values.role, expiresAt: values.expiresAt } })
      .returning();
    await mirrorDefaultMembership(this.db, row!.id, row!.role);
    return row!;
  }

  async update(id: string, patch: { role?: Role; expiresAt?: Date | null }): Promise<User | undefined> {
    if (patch.role === undefined && patch.expiresAt === undefined) return this.byId(id);
    const [row] = await this.db.update(users).set(patch).where(eq(users.id, id)).returning();
    if (row && patch.role !== undefined) await mirrorDefaultMembership(this.db, row.id, row.role);
    return row;
  }

  async delete(id: string): Promise<boolean> {
    const rows = await this.db.delete(users).where(eq(users.id, id)).returning({ id: users.id });
    return rows.length > 0;
  }

  /** Makes sure `email` exists; a new one becomes admin. Idempotent (run at every start-up). */
  async ensureAdmin(email: string): Promise<void> {
    const [row] = await this.db
      .insert(users)
      .values({ email: normalizeEmail(email), role: "admin" })
      .onConflictDoNothing()
      .returning();
    if (row) await mirrorDefaultMembership(this.db, row.id, row.role);
  }
}

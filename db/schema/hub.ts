import { sql } from "drizzle-orm";
import { pgSchema, text, timestamp, uuid } from "drizzle-orm/pg-core";

/** The hub's tables live in their own Postgres schema, apart from the shop's. */
export const hub = pgSchema("hub");

export const roles = ["viewer", "engineer", "ops", "admin"] as const;
export const roleEnum = hub.enum("role", roles);

export const users = hub.table("users", {
  id: uuid("id").primaryKey().default(sql`gen_random_uuid()`),
  email: text("email").notNull().unique(),
  role: roleEnum("role").notNull().default("viewer"),
  /** After this instant the user can no longer log in or use a session. */
  expiresAt: timestamp("expires_at", { withTimezone: true }),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
export type User = typeof users.$inferSelect;

import { z } from "zod";

export { DEFAULT_PROJECT_ID, DEFAULT_PROJECT_SLUG, PROJECT_HEADER } from "../names.ts";

/** Roles within one project, lowest first (the same ladder as the instance roles). */
export const projectRoles = ["viewer", "engineer", "ops", "admin"] as const;
export type ProjectRole = (typeof projectRoles)[number];

/** A project slug: lower-case letters, digits and dashes, 1–40 characters, starting with a letter or digit. */
export const ProjectSlugSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, "a slug is 1–40 lower-case letters, digits or dashes");

/** POST /api/v1/projects. */
export const NewProjectSchema = z.strictObject({
  slug: ProjectSlugSchema,
  name: z.string().trim().min(1).max(100),
});

/** PUT /api/v1/projects/:slug/members: add a member or change their role. */
export const ProjectMemberInputSchema = z.strictObject({
  email: z.email(),
  role: z.enum(projectRoles),
});

/** A project as GET /api/v1/projects lists it; `role` is the caller's role in it. */
export const ProjectSchema = z.object({
  id: z.uuid(),
  slug: z.string(),
  name: z.string(),
  role: z.enum(projectRoles),
});
export type ProjectView = z.infer<typeof ProjectSchema>;

export const ProjectMemberSchema = z.object({
  email: z.string(),
  role: z.enum(projectRoles),
});
export type ProjectMemberView = z.infer<typeof ProjectMemberSchema>;

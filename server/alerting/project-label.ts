import { DEFAULT_PROJECT_ID } from "../../core/api/projects.ts";

/**
 * The `project` label value of a project's alerts: its slug, or "" (no label) for the default
 * project, whose alerts look exactly as they did before projects.
 */
export function projectLabel(project: { id: string; slug: string }): string {
  return project.id === DEFAULT_PROJECT_ID ? "" : project.slug;
}

/** True when an alert (by its labels) belongs to the project. */
export function alertInProject(
  labels: Readonly<Record<string, string>>,
  project: { id: string; slug: string },
) {
  return (labels.project ?? "") === projectLabel(project);
}

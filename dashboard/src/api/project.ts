import type { ProjectView } from "../../../core/api/projects.ts";

const KEY = "pw-project";

/** The project this browser works in (a slug), undefined for the default project. */
export function currentProject(): string | undefined {
  try {
    return localStorage.getItem(KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Switches project: every view, request and the live socket start over in it. */
export function chooseProject(slug: string | undefined): void {
  if (slug === undefined || slug === "default") localStorage.removeItem(KEY);
  else localStorage.setItem(KEY, slug);
  location.reload();
}

/**
 * The chosen project among `projects`, else the default one (when it is gone or none was chosen),
 * else the first: a member of other projects only must not be sent to default, where they get
 * nothing (and the app would reload into it over and over).
 */
export function chosenAmong(projects: ReadonlyArray<ProjectView>): ProjectView | undefined {
  const slug = currentProject() ?? "default";
  return projects.find((p) => p.slug === slug) ?? projects.find((p) => p.slug === "default") ?? projects[0];
}

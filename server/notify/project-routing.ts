import { DEFAULT_PROJECT_ID } from "../../core/api/projects.ts";
import type { InhibitRule, Route, Routing } from "../../core/channel.ts";
import { projectLabel } from "../alerting/project-label.ts";
import { defaultRoute } from "./routing-store.ts";

/**
 * The dispatcher's name for a channel: the default project's channels keep their own name, another
 * project's are `slug/name` (channel names are unique per project only, and cannot hold "/").
 */
export function projectChannelName(project: { id: string; slug: string }, name: string): string {
  return project.id === DEFAULT_PROJECT_ID ? name : `${project.slug}/${name}`;
}

/** What one project routes with: its declared document (null: the default tree) and its channels. */
export interface ProjectRouting {
  project: { id: string; slug: string };
  doc: Routing | null;
  /** By their own (unprefixed) names. */
  channels: ReadonlyArray<{ name: string; kind: string }>;
}

/** A project's tree with its channel names as the dispatcher knows them; it can name no other project's. */
function ownChannels(route: Route, project: { id: string; slug: string }): Route {
  return {
    ...route,
    ...(route.channel === undefined ? {} : { channel: projectChannelName(project, route.channel) }),
    routes: route.routes.map((r) => ownChannels(r, project)),
  };
}

/**
 * One routing tree for every project: each project's own tree (declared, or defaultRoute of its
 * channels) under a node matching its `project` label, so its alerts reach only its channels and
 * its tree only ever names its own. With the default project alone it is that tree unchanged. Pure.
 */
export function projectRoutingTree(projects: ReadonlyArray<ProjectRouting>): Route {
  const treeOf = (p: ProjectRouting) => ownChannels(p.doc?.route ?? defaultRoute(p.channels), p.project);
  const only = projects.length === 1 ? projects[0]! : undefined;
  if (only && only.project.id === DEFAULT_PROJECT_ID) return treeOf(only);
  return {
    matchers: [],
    continue: false,
    routes: projects.map((p) => {
      const tree = treeOf(p);
      const own = { name: "project", op: "=" as const, value: projectLabel(p.project) };
      return { ...tree, matchers: [...tree.matchers, own], continue: false };
    }),
  };
}

/**
 * Every project's inhibition rules (declared, or `defaults`), each limited to its own project: a
 * source mutes only targets of the same project. Pure.
 */
export function projectInhibitRules(
  projects: ReadonlyArray<ProjectRouting>,
  defaults: ReadonlyArray<InhibitRule>,
): InhibitRule[] {
  return projects.flatMap((p) =>
    (p.doc?.inhibitRules ?? defaults).map((rule) => ({
      ...rule,
      targetMatchers: [
        ...rule.targetMatchers,
        { name: "project", op: "=" as const, value: projectLabel(p.project) },
      ],
      equal: [...new Set([...rule.equal, "project"])],
    })),
  );
}

import { DEFAULT_PROJECT_ID } from "../../core/api/projects.ts";
import type { Route } from "../../core/channel.ts";
import { defaultRoute } from "./routing-store.ts";

/**
 * The dispatcher's name for a channel: the default project's channels keep their own name, another
 * project's are `slug/name` (channel names are unique per project only, and cannot hold "/").
 */
export function projectChannelName(project: { id: string; slug: string }, name: string): string {
  return project.id === DEFAULT_PROJECT_ID ? name : `${project.slug}/${name}`;
}

/**
 * One routing tree for every project, so a project's alerts (labelled `project: slug`) reach only
 * its own channels. With the default project alone it is the default tree unchanged. Otherwise the
 * default tree takes the unlabelled alerts and each other project gets a subtree that sends to its
 * own channels as defaultRoute does; a project without channels notifies nobody. Pure.
 */
export function projectRoutingTree(
  defaultTree: Route,
  others: ReadonlyArray<{ slug: string; channels: ReadonlyArray<{ name: string; kind: string }> }>,
): Route {
  if (others.length === 0) return defaultTree;
  const label = (value: string) => ({ name: "project", op: "=" as const, value });
  return {
    matchers: [],
    continue: false,
    routes: [
      { ...defaultTree, matchers: [...defaultTree.matchers, label("")], continue: false },
      ...others.map((p) => ({
        matchers: [label(p.slug)],
        continue: false,
        routes: defaultRoute(p.channels).routes,
      })),
    ],
  };
}

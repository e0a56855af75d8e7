import type { Route } from "../../core/channel.ts";
import type { Labels } from "../../core/fingerprint.ts";
import { matchAll } from "../../core/matchers.ts";

/** A matched route with its inherited settings resolved. */
export interface ResolvedRoute {
  /** Position in the tree ("0", "0.2", …): stable identity for grouping. */
  path: string;
  channel: string;
  groupBy: string[];
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
}

/** What a tree that sets nothing gets: Alertmanager's defaults (30 s, 5 min, 4 h), configurable. */
export interface RouteDefaults {
  groupBy: string[];
  groupWaitSeconds: number;
  groupIntervalSeconds: number;
  repeatIntervalSeconds: number;
}

export const routeDefaults: RouteDefaults = {
  groupBy: ["alertname"],
  groupWaitSeconds: 30,
  groupIntervalSeconds: 300,
  repeatIntervalSeconds: 4 * 3600,
};

type Inherited = RouteDefaults & { channel: string | undefined };

/**
 * Routes labels through the tree as Alertmanager does: a node matches when its matchers do;
 * children are tried in order, the first match wins unless it says `continue`; a matching node
 * none of whose children match is where the alert goes (if it names a channel). Pure.
 */
export function matchRoutes(
  root: Route,
  labels: Labels,
  defaults: RouteDefaults = routeDefaults,
): ResolvedRoute[] {
  const out: ResolvedRoute[] = [];
  const visit = (node: Route, path: string, parent: Inherited): boolean => {
    if (!matchAll(node.matchers, labels)) return false;
    const here: Inherited = {
      channel: node.channel ?? parent.channel,
      groupBy: node.groupBy ?? parent.groupBy,
      groupWaitSeconds: node.groupWaitSeconds ?? parent.groupWaitSeconds,
      groupIntervalSeconds: node.groupIntervalSeconds ?? parent.groupIntervalSeconds,
      repeatIntervalSeconds: node.repeatIntervalSeconds ?? parent.repeatIntervalSeconds,
    };
    let childMatched = false;
    for (const [i, child] of node.routes.entries()) {
      if (visit(child, `${path}.${i}`, here)) {
        childMatched = true;
        if (!child.continue) break;
      }
    }
    if (!childMatched && here.channel) {
      out.push({
        path,
        channel: here.channel,
        groupBy: here.groupBy,
        groupWaitMs: here.groupWaitSeconds * 1000,
        groupIntervalMs: here.groupIntervalSeconds * 1000,
        repeatIntervalMs: here.repeatIntervalSeconds * 1000,
      });
    }
    return true;
  };
  visit(root, "0", { ...defaults, channel: undefined });
  return out;
}

/** The labels an alert is grouped by on a route; "..." means all of them. */
export function groupLabels(route: ResolvedRoute, labels: Labels): Record<string, string> {
  if (route.groupBy.includes("...")) return { ...labels };
  const out: Record<string, string> = {};
  for (const name of route.groupBy) if (labels[name] !== undefined) out[name] = labels[name];
  return out;
}

/** Alertmanager-style group key: `route:{name="value",…}`. */
export function groupKey(route: ResolvedRoute, group: Labels): string {
  const inner = Object.keys(group)
    .sort()
    .map((k) => `${k}=${JSON.stringify(group[k])}`)
    .join(",");
  return `${route.path}:${route.channel}:{${inner}}`;
}

/** Hash routes (`#/runs/abc`): the hub serves one index.html, and the hash never reaches it. */

export const views = [
  "summary",
  "live",
  "control",
  "history",
  "run",
  "compare",
  "probes",
  "alerts",
  "admin",
  "login",
] as const;
export type View = (typeof views)[number];

export interface Route {
  view: View;
  /** Run id for `live` and `run`; empty otherwise. */
  id: string;
  query: URLSearchParams;
  /** The path asked for when no view has it (the default view is shown instead). */
  unknown?: string;
}

/** The view shown for an empty or unknown hash. */
export const DEFAULT_VIEW: View = "summary";

const paths: Record<string, View> = {
  summary: "summary",
  live: "live",
  control: "control",
  runs: "history",
  // What the navigation calls the run list, as a user may type it.
  history: "history",
  run: "run",
  compare: "compare",
  probes: "probes",
  alerts: "alerts",
  admin: "admin",
  login: "login",
};

/** Parses `#/runs/<id>?x=y`; an unknown path gives the default view, naming the path in `unknown`. */
export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#\/?/, "");
  const [path = "", search = ""] = raw.split("?", 2);
  const [head = "", ...rest] = path.split("/").filter(Boolean);
  const id = decodeURIComponent(rest.join("/"));
  const query = new URLSearchParams(search);
  if (head === "runs" && id) return { view: "run", id, query };
  const view = paths[head];
  if (view) return { view, id, query };
  return path ? { view: DEFAULT_VIEW, id: "", query, unknown: path } : { view: DEFAULT_VIEW, id: "", query };
}

/** The hash that `parseRoute` turns back into the given view. */
export function routeHref(view: View, id = "", query?: Record<string, string>): string {
  const segment = view === "history" || view === "run" ? "runs" : view;
  const path = id ? `#/${segment}/${encodeURIComponent(id)}` : `#/${segment}`;
  const search = query ? new URLSearchParams(query).toString() : "";
  return search ? `${path}?${search}` : path;
}

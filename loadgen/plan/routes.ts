/**
 * URL → journey step, by route templates such as `GET /api/products/:id`. Pure. The mapping is
 * data (a default for the reference shop and common storefront pages, or a user's file), and
 * what matches nothing is counted under a redacted shape, so a report of unknown routes never
 * repeats an id, email or token that was in a path.
 */
import { z } from "zod";

/** The canonical steps the journey classifier understands (see journeys.ts). */
export const planSteps = [
  "home",
  "categories",
  "products",
  "product",
  "search",
  "recommendations",
  "cart_view",
  "cart_add",
  "login",
  "checkout",
] as const;
export type PlanStep = (typeof planSteps)[number];

export const RouteMapSchema = z.strictObject({
  /** `METHOD /path/:param` (or `* /path` for any method) → step; first match wins. */
  routes: z
    .array(
      z.strictObject({
        match: z.string().regex(/^(\*|[A-Z]+) \/\S*$/, 'e.g. "GET /api/products/:id"'),
        step: z.enum(planSteps),
      }),
    )
    .min(1)
    .max(500),
  /** Paths that are not visitor actions (assets, health checks): `*` matches any characters. */
  ignore: z.array(z.string().min(1).max(200)).max(200).default([]),
});
export type RouteMapInput = z.input<typeof RouteMapSchema>;

/** The reference shop's API plus the pages of a typical storefront. */
export const defaultRouteMap: RouteMapInput = {
  routes: [
    { match: "GET /", step: "home" },
    { match: "GET /api/categories", step: "categories" },
    { match: "GET /category/:name", step: "categories" },
    { match: "GET /c/:name", step: "categories" },
    { match: "GET /api/products", step: "products" },
    { match: "GET /products", step: "products" },
    { match: "GET /api/products/:id", step: "product" },
    { match: "GET /product/:id", step: "product" },
    { match: "GET /products/:id", step: "product" },
    { match: "GET /p/:id", step: "product" },
    { match: "GET /api/search", step: "search" },
    { match: "GET /search", step: "search" },
    { match: "GET /api/recommendations", step: "recommendations" },
    { match: "GET /api/cart", step: "cart_view" },
    { match: "GET /cart", step: "cart_view" },
    { match: "POST /api/cart/items", step: "cart_add" },
    { match: "POST /cart", step: "cart_add" },
    { match: "POST /cart/add", step: "cart_add" },
    { match: "POST /api/auth/otp/request", step: "login" },
    { match: "POST /api/auth/otp/verify", step: "login" },
    { match: "POST /login", step: "login" },
    { match: "POST /api/checkout", step: "checkout" },
    { match: "POST /checkout", step: "checkout" },
  ],
  ignore: [
    "/static/*",
    "/assets/*",
    "*.js",
    "*.css",
    "*.png",
    "*.jpg",
    "*.svg",
    "*.ico",
    "*.woff2",
    "/healthz",
    "/readyz",
    "/metrics",
  ],
};

interface CompiledRoute {
  method: string;
  pattern: RegExp;
  step: PlanStep;
}

export type RouteMatch =
  | { kind: "step"; step: PlanStep }
  | { kind: "ignored" }
  | { kind: "unknown"; shape: string };

const escapeRegex = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&");

/** `/api/products/:id` → a regex with one segment per parameter; trailing slash optional. */
function templateRegex(template: string): RegExp {
  const body = template
    .split("/")
    .map((seg) => (seg.startsWith(":") ? "[^/]+" : escapeRegex(seg)))
    .join("/");
  return new RegExp(`^${body === "" ? "" : body}/?$`);
}

function globRegex(glob: string): RegExp {
  return new RegExp(`^${glob.split("*").map(escapeRegex).join(".*")}$`);
}

/**
 * A path segment kept as is in an unknown route's shape only when it is plainly a word: short
 * letters with - or _. Anything with a digit, @, %, a dot or length is replaced by `:x`.
 */
export function redactPath(path: string): string {
  const segments = path
    .split("/")
    .map((seg) => (seg === "" || /^[A-Za-z][A-Za-z_-]{0,23}$/.test(seg) ? seg : ":x"));
  return segments.join("/") || "/";
}

/** A compiled route map: classifies a method and path. */
export class RouteMap {
  private readonly routes: CompiledRoute[];
  private readonly ignore: RegExp[];

  constructor(input: RouteMapInput = defaultRouteMap) {
    const map = RouteMapSchema.parse(input);
    this.routes = map.routes.map((r) => {
      const [method, template] = r.match.split(" ") as [string, string];
      return { method, pattern: templateRegex(template), step: r.step };
    });
    this.ignore = map.ignore.map(globRegex);
  }

  match(method: string, path: string): RouteMatch {
    // HEAD and OPTIONS are crawlers and browsers' preflights, not shoppers' clicks.
    if (method === "HEAD" || method === "OPTIONS") return { kind: "ignored" };
    for (const r of this.routes) {
      if ((r.method === "*" || r.method === method) && r.pattern.test(path))
        return { kind: "step", step: r.step };
    }
    if (this.ignore.some((g) => g.test(path))) return { kind: "ignored" };
    return { kind: "unknown", shape: `${method} ${redactPath(path)}` };
  }
}

/** Validates a user's mapping file; the error names the path of the bad field. */
export function parseRouteMap(input: unknown): { ok: true; map: RouteMap } | { ok: false; error: string } {
  const r = RouteMapSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    return { ok: false, error: `${issue.path.join(".") || "(routes file)"}: ${issue.message}` };
  }
  return { ok: true, map: new RouteMap(r.data) };
}

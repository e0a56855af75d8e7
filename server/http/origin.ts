import type { MiddlewareHandler } from "hono";
import { AppError } from "../../core/http/app-error.ts";
import type { HubEnv } from "./env.ts";

/**
 * Whether a browser page at `origin` may act on this hub: the hub's own origin (the Host the
 * request was sent to) or one listed in HUB_ALLOWED_ORIGINS. No Origin header means no browser
 * page is involved (CLI, agents), and the request's credentials decide alone.
 */
export function originAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowed: ReadonlyArray<string>,
): boolean {
  if (origin === undefined) return true;
  if (allowed.includes(origin)) return true;
  try {
    return host !== undefined && new URL(origin).host === host.toLowerCase();
  } catch {
    // "null" (sandboxed frames, file: pages) and garbage are nobody we know.
    return false;
  }
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Refuses state-changing requests sent by a page of another origin (403 naming the origin):
 * a cross-site form or fetch never reaches a handler, whatever cookies it carries.
 */
export function sameOriginWrites(allowed: ReadonlyArray<string>): MiddlewareHandler<HubEnv> {
  return async (c, next) => {
    if (!SAFE_METHODS.has(c.req.method)) {
      const origin = c.req.header("origin");
      if (!originAllowed(origin, c.req.header("host"), allowed)) {
        throw new AppError(
          "forbidden",
          `origin: ${origin} may not send requests to this hub (add it to HUB_ALLOWED_ORIGINS)`,
        );
      }
    }
    await next();
  };
}

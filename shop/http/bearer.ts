import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { AppError } from "../../core/http/app-error.ts";

/** Compares secrets in constant time (hashing first so lengths never leak). */
export function constantTimeEquals(a: string, b: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** Requires `Authorization: Bearer <token>`; with no token configured the routes are closed (401). */
export function requireBearer(token: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    const given = /^Bearer (.+)$/.exec(c.req.header("authorization") ?? "")?.[1];
    if (!token || !given || !constantTimeEquals(given, token)) {
      throw new AppError("unauthorized", "a valid bearer token is required", {
        headers: { "www-authenticate": "Bearer" },
      });
    }
    await next();
  };
}

import type { MiddlewareHandler } from "hono";
import { limitBody } from "../../core/http/body-limit.ts";
import type { HubEnv } from "./env.ts";

/**
 * Refuses bodies over `maxBytes` with a 413 (see core's limitBody). Paths under `exempt` set
 * their own limit for the bodies they read (ingest takes bigger batches); a GET or HEAD there
 * is checked all the same, as no route reads its body.
 */
export function hubBodyLimit(maxBytes: number, exempt: ReadonlyArray<string>): MiddlewareHandler<HubEnv> {
  const limit = limitBody(maxBytes);
  return async (c, next) => {
    const bodiless = c.req.method === "GET" || c.req.method === "HEAD";
    if (!bodiless && exempt.some((prefix) => c.req.path.startsWith(prefix))) return next();
    return limit(c, next);
  };
}

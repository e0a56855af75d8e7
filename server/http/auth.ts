import type { Context, MiddlewareHandler } from "hono";
import { AppError } from "../../core/http/app-error.ts";
import { type Role, roleAtLeast } from "../auth/roles.ts";
import type { HubEnv, Principal } from "./env.ts";

/** The part of a request a resolver reads (a Hono request or an HTTP upgrade's headers). */
export interface RequestLike {
  header(name: string): string | undefined;
}

/** Finds the caller from a request (bearer token, session cookie…); null when it carries none. */
export type PrincipalResolver = (req: RequestLike) => Promise<Principal | null>;

/** The first resolver's answer; throws what a resolver throws (AppError unauthorized). */
export async function resolvePrincipal(
  resolvers: ReadonlyArray<PrincipalResolver>,
  req: RequestLike,
): Promise<Principal | null> {
  for (const resolve of resolvers) {
    const principal = await resolve(req);
    if (principal) return principal;
  }
  return null;
}

/** Reads `Authorization: Bearer <token>`; undefined when absent. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1];
}

/**
 * Sets `principal` from the first resolver that recognises the caller. Never rejects by itself:
 * routes say what they need with requireAgent / requireRole.
 */
export function authenticate(resolvers: ReadonlyArray<PrincipalResolver>): MiddlewareHandler<HubEnv> {
  return async (c, next) => {
    c.set("principal", await resolvePrincipal(resolvers, c.req));
    await next();
  };
}

function need(c: Context<HubEnv>): Principal {
  const principal = c.get("principal");
  if (!principal) throw new AppError("unauthorized", "log in or send an agent token");
  return principal;
}

/** Only loadgen/probes agents (bearer agent token) pass. */
export function requireAgent(): MiddlewareHandler<HubEnv> {
  return async (c, next) => {
    const principal = need(c);
    if (principal.kind !== "agent") throw new AppError("forbidden", "this route takes an agent token");
    await next();
  };
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Only users with at least `role`. A cookie-authenticated mutating request must also carry
 * `x-csrf-token` equal to its session's token (a cross-site form cannot read or send it).
 */
export function requireRole(role: Role): MiddlewareHandler<HubEnv> {
  return async (c, next) => {
    const principal = need(c);
    if (principal.kind !== "user") throw new AppError("forbidden", "agent tokens cannot use this route");
    if (!roleAtLeast(principal.role, role)) throw new AppError("forbidden", `needs the ${role} role`);
    if (principal.viaCookie && !SAFE_METHODS.has(c.req.method)) {
      if (c.req.header("x-csrf-token") !== principal.csrfToken) {
        throw new AppError("forbidden", "missing or wrong x-csrf-token header");
      }
    }
    await next();
  };
}

/** Resolves agents from a bearer token. */
export function agentResolver(
  verify: (token: string) => Promise<{ tokenId: string | null; name: string; projectId: string } | null>,
) {
  const resolver: PrincipalResolver = async (req) => {
    const token = bearerToken(req.header("authorization"));
    if (!token) return null;
    const agent = await verify(token);
    if (!agent) throw new AppError("unauthorized", "unknown or revoked token");
    return { kind: "agent", ...agent };
  };
  return resolver;
}

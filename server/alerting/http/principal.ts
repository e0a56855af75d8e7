import type { Context } from "hono";
import type { HubEnv } from "../../http/env.ts";

/** The acting user's email (for created-by, acknowledged-by); routes already required a user. */
export function actor(c: Context<HubEnv>): string {
  const principal = c.get("principal");
  return principal?.kind === "user" ? principal.email : (principal?.name ?? "unknown");
}

import type { Role } from "../auth/roles.ts";

/** Who is calling: a dashboard user with a session, or a loadgen/probes agent with a token. */
export type Principal =
  | {
      kind: "user";
      userId: string;
      email: string;
      role: Role;
      sessionId: string;
      csrfToken: string;
      /** True when the session came from the cookie (so mutating requests need the CSRF header). */
      viaCookie: boolean;
    }
  | { kind: "agent"; tokenId: string | null; name: string };

/** The Hono environment of every hub route. */
export interface HubEnv {
  Variables: {
    requestId: string;
    principal: Principal | null;
  };
}

import type { Role } from "../auth/roles.ts";
import type { ProjectScope } from "../projects/scope.ts";

/** Who is calling: a dashboard user with a session, or a loadgen/probes agent with a token. */
export type Principal =
  | {
      kind: "user";
      userId: string;
      email: string;
      /** The role in the request's project (server/projects/scope.ts); the instance role before scoping. */
      role: Role;
      /** The user's instance role: "admin" manages users and projects and is admin in every project. */
      instanceRole: Role;
      sessionId: string;
      csrfToken: string;
      /** True when the session came from the cookie (so mutating requests need the CSRF header). */
      viaCookie: boolean;
    }
  | { kind: "agent"; tokenId: string | null; name: string /** The token's project. */; projectId: string };

/** The Hono environment of every hub route. */
export interface HubEnv {
  Variables: {
    requestId: string;
    principal: Principal | null;
    /** Set by projectScope on project-scoped routes; read through projectOf(). */
    project?: ProjectScope;
  };
}

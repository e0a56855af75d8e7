import { parse } from "hono/utils/cookie";
import type { PrincipalResolver } from "../http/auth.ts";
import type { Sessions } from "./sessions.ts";

/** The dashboard's session cookie. */
export const SESSION_COOKIE = "pw_session";

/** Recognises a dashboard user by the `pw_session` cookie; an unknown or dead session is anonymous. */
export function sessionResolver(sessions: Sessions): PrincipalResolver {
  return async (req) => {
    const header = req.header("cookie");
    if (!header) return null;
    const token = parse(header, SESSION_COOKIE)[SESSION_COOKIE];
    if (!token) return null;
    const found = await sessions.find(token);
    if (!found) return null;
    return {
      kind: "user",
      userId: found.user.id,
      email: found.user.email,
      role: found.user.role,
      instanceRole: found.user.role,
      sessionId: found.tokenHash,
      csrfToken: found.csrfToken,
      viaCookie: true,
    };
  };
}

import { Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import { AppError } from "../../core/http/app-error.ts";
import { clientAddress } from "../../core/http/client-address.ts";
import { requireRole } from "../http/auth.ts";
import type { HubEnv } from "../http/env.ts";
import { jsonBody } from "../http/json-body.ts";
import type { Login } from "./login.ts";
import { SESSION_COOKIE } from "./session-resolver.ts";
import type { Sessions } from "./sessions.ts";

export interface AuthRoutesOptions {
  login: Login;
  sessions: Sessions;
  cookieSecure: boolean;
  /** Cookie lifetime in seconds (the absolute session timeout). */
  cookieMaxAge: number;
  /** Read the client address from X-Forwarded-For (HUB_TRUST_PROXY). */
  trustProxy: boolean;
}

const tooMany = (retryAfterSeconds: number, what: string) =>
  new AppError("rate_limited", `too many ${what} from this address; retry in ${retryAfterSeconds} s`, {
    headers: { "retry-after": String(retryAfterSeconds) },
  });

const RequestSchema = z.strictObject({ email: z.email().max(320) });
const VerifySchema = z.strictObject({
  challengeId: z.uuid(),
  code: z.string().regex(/^\d{6,10}$/, "the code is digits"),
});

/** POST /auth/otp/request, /auth/otp/verify, /auth/logout; GET /auth/me. */
export function authRoutes(options: AuthRoutesOptions): Hono<HubEnv> {
  const { login, sessions } = options;
  const app = new Hono<HubEnv>();

  app.post("/auth/otp/request", async (c) => {
    const { email } = await jsonBody(c, RequestSchema);
    const result = await login.request(email, clientAddress(c, options.trustProxy));
    if ("rateLimited" in result) throw tooMany(result.retryAfterSeconds, "login codes requested");
    return c.json(result);
  });

  app.post("/auth/otp/verify", async (c) => {
    const { challengeId, code } = await jsonBody(c, VerifySchema);
    const result = await login.verify(challengeId, code, clientAddress(c, options.trustProxy));
    if (!result.ok && result.reason === "rate_limited")
      throw tooMany(result.retryAfterSeconds, "wrong codes");
    if (!result.ok) {
      throw new AppError(
        "unauthorized",
        result.reason === "expired_user" ? "this account has expired" : "wrong or expired code",
      );
    }
    // A new token at every login, and the old one (if any) ended: no session fixation.
    const previous = getCookie(c, SESSION_COOKIE);
    if (previous) await sessions.end(previous);
    const { token } = await sessions.create(result.user.id);
    setCookie(c, SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: "Lax",
      secure: options.cookieSecure,
      path: "/",
      maxAge: options.cookieMaxAge,
    });
    return c.json({ user: { email: result.user.email, role: result.user.role } });
  });

  app.post("/auth/logout", async (c) => {
    // A live cookie session ends only with its CSRF token: a cross-site page cannot log you out.
    const principal = c.get("principal");
    if (
      principal?.kind === "user" &&
      principal.viaCookie &&
      c.req.header("x-csrf-token") !== principal.csrfToken
    ) {
      throw new AppError("forbidden", "missing or wrong x-csrf-token header");
    }
    const token = getCookie(c, SESSION_COOKIE);
    if (token) await sessions.end(token);
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.json({ ok: true });
  });

  app.get("/auth/me", requireRole("viewer"), (c) => {
    const principal = c.get("principal");
    if (principal?.kind !== "user") throw new AppError("unauthorized", "log in first");
    return c.json({ email: principal.email, role: principal.role, csrfToken: principal.csrfToken });
  });
  return app;
}

import { eq } from "drizzle-orm";
import { type Context, Hono } from "hono";
import { clientAddress } from "../../core/http/client-address.ts";
import { OtpRequestBody, OtpVerifyBody } from "../../core/shop-api.ts";
import type { Db } from "../../db/open.ts";
import { customers } from "../../db/schema/shop.ts";
import type { CartStore } from "../cart/cart-store.ts";
import { fieldContext } from "../crypto/encrypted-fields.ts";
import type { Keyring } from "../crypto/keyring.ts";
import { CART_COOKIE, clearCookie, readCookie, SESSION_COOKIE, setPrivateCookie } from "../http/cookies.ts";
import type { ShopEnv } from "../http/env.ts";
import { jsonBody } from "../http/json-body.ts";
import { fromLoadGenerator } from "../http/load-generator.ts";
import { uuidOrUndefined } from "../http/uuid.ts";
import type { OtpService } from "./otp-service.ts";
import { requireCustomer } from "./session-middleware.ts";
import type { SessionStore } from "./session-store.ts";

export interface AuthRoutesDeps {
  db: Db;
  otp: OtpService;
  sessions: SessionStore;
  carts: CartStore;
  keyring: Keyring;
  trustProxy: boolean;
  /** With test hooks on: the token that lets the stack's load generator name its shoppers' addresses. */
  testHooksToken?: string | undefined;
}

/** /api/auth/* and /api/me. */
export function authRoutes(deps: AuthRoutesDeps): Hono<ShopEnv> {
  const app = new Hono<ShopEnv>();
  const { trustProxy } = deps;
  // Per-address limits see each simulated shopper of our own load generator, not one address.
  const address = (c: Context) => clientAddress(c, trustProxy || fromLoadGenerator(c, deps.testHooksToken));

  app.post("/auth/otp/request", async (c) => {
    const { email } = await jsonBody(c, OtpRequestBody);
    return c.json(await deps.otp.request(email, address(c)));
  });

  app.post("/auth/otp/verify", async (c) => {
    const { challengeId, code } = await jsonBody(c, OtpVerifyBody);
    // A login always gets a new token; whatever session the browser had before ends here.
    const session = deps.sessions.issue();
    const customer = await deps.otp.verify(challengeId, code, address(c), session);
    const previous = readCookie(c, SESSION_COOKIE);
    if (previous) await deps.sessions.delete(previous);
    setPrivateCookie(
      c,
      SESSION_COOKIE,
      session.token,
      deps.sessions.policy.absoluteTimeoutMs / 1000,
      trustProxy,
    );
    const anonymousCart = uuidOrUndefined(readCookie(c, CART_COOKIE));
    if (anonymousCart) {
      await deps.carts.attach(anonymousCart, customer.customerId);
      clearCookie(c, CART_COOKIE, trustProxy);
    }
    return c.json({ customer: { email: customer.email } });
  });

  app.post("/auth/logout", async (c) => {
    const token = readCookie(c, SESSION_COOKIE);
    if (token) await deps.sessions.delete(token);
    clearCookie(c, SESSION_COOKIE, trustProxy);
    return c.json({ ok: true });
  });

  app.get("/me", requireCustomer, async (c) => {
    const { customerId, email } = c.get("customer")!;
    const [row] = await deps.db
      .select({ nameEnc: customers.nameEnc })
      .from(customers)
      .where(eq(customers.id, customerId));
    const name = row?.nameEnc
      ? await deps.keyring.decrypt(row.nameEnc, fieldContext("customers", "name", customerId))
      : null;
    return c.json({ customer: { email, name } });
  });

  return app;
}

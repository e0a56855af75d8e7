import { Hono } from "hono";
import { parseOr400 } from "../../core/http/validate.ts";
import { CheckoutBody, IdempotencyKey } from "../../core/shop-api.ts";
import { requireCustomer } from "../auth/session-middleware.ts";
import type { ShopEnv } from "../http/env.ts";
import { optionalJsonBody } from "../http/json-body.ts";
import type { CheckoutService } from "./checkout-service.ts";

/** POST /api/checkout (logged in; optional Idempotency-Key header; the body may be empty). */
export function checkoutRoutes(checkout: CheckoutService): Hono<ShopEnv> {
  const app = new Hono<ShopEnv>();
  app.post("/", requireCustomer, async (c) => {
    const rawKey = c.req.header("idempotency-key");
    const key =
      rawKey === undefined ? undefined : parseOr400(IdempotencyKey, rawKey, "headers.idempotency-key");
    const body = await optionalJsonBody(c, CheckoutBody);
    const customer = c.get("customer")!;
    return c.json(await checkout.checkout(customer, body, key), 201);
  });
  return app;
}

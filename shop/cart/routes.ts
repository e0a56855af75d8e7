import type { Context } from "hono";
import { Hono } from "hono";
import { AppError } from "../../core/http/app-error.ts";
import { parseOr400 } from "../../core/http/validate.ts";
import { AddCartItemBody, CartItemParam, UpdateCartItemBody } from "../../core/shop-api.ts";
import { CART_COOKIE, readCookie, setPrivateCookie } from "../http/cookies.ts";
import type { ShopEnv } from "../http/env.ts";
import { jsonBody } from "../http/json-body.ts";
import { uuidOrUndefined } from "../http/uuid.ts";
import type { CartOwner, CartStore } from "./cart-store.ts";

const CART_COOKIE_SECONDS = 30 * 24 * 3600;

/** /api/cart…: the visitor's cart, anonymous (cookie) or the logged-in customer's. */
export function cartRoutes(deps: {
  carts: CartStore;
  trustProxy: boolean;
  checkProduct: (productId: string) => void;
  /** The product the stock_out fault sells out, if it is on. */
  soldOut: () => string | undefined;
}): Hono<ShopEnv> {
  const app = new Hono<ShopEnv>();
  const { carts } = deps;
  const ownerOf = (c: Context<ShopEnv>): CartOwner => ({
    customerId: c.get("customer")?.customerId ?? null,
    anonymousCartId: uuidOrUndefined(readCookie(c, CART_COOKIE)),
  });

  app.get("/", async (c) => c.json(await carts.viewOf(ownerOf(c))));

  app.post("/items", async (c) => {
    const { productId, quantity } = await jsonBody(c, AddCartItemBody);
    deps.checkProduct(productId);
    // What the cart store says when the stock is short, so a load test sees a real sell-out.
    if (deps.soldOut() === productId)
      throw new AppError("conflict", 'only 0 in stock (fault switch "stock_out")');
    const owner = ownerOf(c);
    const { cartId, cart } = await carts.add(owner, productId, quantity);
    if (!owner.customerId && cartId !== owner.anonymousCartId) {
      setPrivateCookie(c, CART_COOKIE, cartId, CART_COOKIE_SECONDS, deps.trustProxy);
    }
    return c.json(cart, 201);
  });

  app.patch("/items/:productId", async (c) => {
    const { productId } = parseOr400(CartItemParam, c.req.param(), "params");
    const { quantity } = await jsonBody(c, UpdateCartItemBody);
    const cartId = await carts.find(ownerOf(c));
    await carts.setQuantity(cartId, productId, quantity);
    return c.json(await carts.view(cartId));
  });

  app.delete("/items/:productId", async (c) => {
    const { productId } = parseOr400(CartItemParam, c.req.param(), "params");
    const cartId = await carts.find(ownerOf(c));
    await carts.remove(cartId, productId);
    return c.json(await carts.view(cartId));
  });

  app.delete("/", async (c) => {
    const cartId = await carts.find(ownerOf(c));
    await carts.clear(cartId);
    return c.json(await carts.view(cartId));
  });

  return app;
}

import type { MiddlewareHandler } from "hono";
import { AppError } from "../../core/http/app-error.ts";
import { readCookie, SESSION_COOKIE } from "../http/cookies.ts";
import type { ShopEnv } from "../http/env.ts";
import type { SessionStore } from "./session-store.ts";

/** Resolves the session cookie (if any) into `c.var.customer`. */
export function loadSession(store: SessionStore): MiddlewareHandler<ShopEnv> {
  return async (c, next) => {
    const token = readCookie(c, SESSION_COOKIE);
    c.set("customer", token ? await store.resolve(token) : null);
    await next();
  };
}

/** 401 unless a customer is logged in. */
export const requireCustomer: MiddlewareHandler<ShopEnv> = async (c, next) => {
  if (!c.get("customer")) throw new AppError("unauthorized", "log in first");
  await next();
};

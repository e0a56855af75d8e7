import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { isHttps } from "../../core/http/client-address.ts";

export const SESSION_COOKIE = "shop_session";
export const CART_COOKIE = "shop_cart";

/** Sets an HttpOnly, SameSite=Lax cookie, Secure whenever the client came over HTTPS. */
export function setPrivateCookie(
  c: Context,
  name: string,
  value: string,
  maxAgeSeconds: number,
  trustProxy: boolean,
): void {
  setCookie(c, name, value, {
    httpOnly: true,
    sameSite: "Lax",
    secure: isHttps(c, trustProxy),
    path: "/",
    maxAge: maxAgeSeconds,
  });
}

export function readCookie(c: Context, name: string): string | undefined {
  return getCookie(c, name);
}

export function clearCookie(c: Context, name: string, trustProxy: boolean): void {
  deleteCookie(c, name, { path: "/", secure: isHttps(c, trustProxy) });
}

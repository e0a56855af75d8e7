import type { Context } from "hono";

/**
 * The client's address for rate limiting. Behind a trusted proxy (SHOP_TRUST_PROXY,
 * HUB_TRUST_PROXY: only when one is really in front, else any client picks its own address)
 * it is the left-most X-Forwarded-For entry; otherwise the socket's peer, or "unknown" when
 * the request did not come over a socket (app.request in tests).
 */
export function clientAddress(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header("x-forwarded-for")?.split(",")[0]?.trim();
    if (forwarded) return forwarded;
  }
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? "unknown";
}

/** Whether the client reached us over HTTPS (directly or, when trusted, through the proxy). */
export function isHttps(c: Context, trustProxy: boolean): boolean {
  if (trustProxy && c.req.header("x-forwarded-proto") === "https") return true;
  return new URL(c.req.url).protocol === "https:";
}

import { isIP } from "node:net";

function isLoopback(host: string): boolean {
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  return host === "::1";
}

/**
 * Whether the hub may start load against `target`: loopback, the configured shop's host, or a
 * host listed in PEAKWATCH_ALLOWED_TARGETS. Returns the reason when not.
 */
export function targetAllowed(
  target: string,
  allowed: { shopUrl: string; extraHosts: ReadonlyArray<string> },
): { ok: true } | { ok: false; reason: string } {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return { ok: false, reason: "not a URL" };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return { ok: false, reason: "use http or https" };
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (isLoopback(host)) return { ok: true };
  const shop = new URL(allowed.shopUrl);
  const hosts = new Set([
    shop.hostname.toLowerCase(),
    shop.host.toLowerCase(),
    ...allowed.extraHosts.map((h) => h.toLowerCase()),
  ]);
  if (hosts.has(host) || hosts.has(url.host.toLowerCase())) return { ok: true };
  return {
    ok: false,
    reason: `${url.host} is not allowlisted (loopback, the shop and PEAKWATCH_ALLOWED_TARGETS are)`,
  };
}

import { isIP } from "node:net";

/**
 * Whether load may be sent to `target`: loopback always, the configured shop's host, and the
 * hosts listed in PEAKWATCH_ALLOWED_TARGETS. A load generator must not become an attack tool.
 * The refusal says how to allow a host.
 */
export function checkTarget(
  target: string,
  allowed: { shopUrl?: string; extra?: string },
): { ok: true; url: URL } | { ok: false; error: string } {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return { ok: false, error: `--target: not a URL: ${JSON.stringify(target)}` };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return { ok: false, error: `--target: use an http:// or https:// URL (got ${url.protocol})` };
  }
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (isLoopback(host)) return { ok: true, url };
  const hosts = new Set<string>();
  if (allowed.shopUrl)
    hosts
      .add(new URL(allowed.shopUrl).host.toLowerCase())
      .add(new URL(allowed.shopUrl).hostname.toLowerCase());
  for (const entry of (allowed.extra ?? "").split(",")) {
    const h = entry.trim().toLowerCase();
    if (h) hosts.add(h);
  }
  if (hosts.has(host) || hosts.has(url.host.toLowerCase())) return { ok: true, url };
  return {
    ok: false,
    error:
      `--target: refusing to send load to ${url.host}: it is not allowlisted ` +
      `(allowed: loopback${allowed.shopUrl ? `, ${new URL(allowed.shopUrl).host} (PEAKWATCH_SHOP_URL)` : ""}` +
      `${allowed.extra ? `, ${allowed.extra}` : ""}). To allow it, add it to PEAKWATCH_ALLOWED_TARGETS, ` +
      `e.g. PEAKWATCH_ALLOWED_TARGETS=${url.hostname}`,
  };
}

function isLoopback(host: string): boolean {
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  if (isIP(host) === 6) return host === "::1" || host === "0:0:0:0:0:0:0:1";
  return false;
}

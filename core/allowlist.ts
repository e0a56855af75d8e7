/**
 * Where load may be sent: loopback always, the configured shop's host, and hosts listed in
 * PEAKWATCH_ALLOWED_TARGETS. A load generator must not become an attack tool. One rule for the
 * generator's CLI and the hub's POST /runs; each words its own refusal.
 */
export type TargetCheck =
  | { ok: true; url: URL }
  | { ok: false; problem: "not_url" | "protocol"; reason: string }
  | { ok: false; problem: "not_allowed"; reason: string; url: URL; allowed: string[] };

export function checkLoadTarget(
  target: string,
  allowed: { shopUrl?: string | undefined; extraHosts?: ReadonlyArray<string> },
): TargetCheck {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return { ok: false, problem: "not_url", reason: `not a URL: ${JSON.stringify(target)}` };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return { ok: false, problem: "protocol", reason: `use an http:// or https:// URL (got ${url.protocol})` };
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (isLoopback(host)) return { ok: true, url };
  const hosts = new Set<string>();
  const listed: string[] = [];
  if (allowed.shopUrl) {
    const shop = new URL(allowed.shopUrl);
    hosts.add(shop.host.toLowerCase()).add(shop.hostname.toLowerCase());
    listed.push(`${shop.host} (PEAKWATCH_SHOP_URL)`);
  }
  for (const entry of allowed.extraHosts ?? []) {
    const h = entry.trim().toLowerCase();
    if (h) {
      hosts.add(h);
      listed.push(h);
    }
  }
  if (hosts.has(host) || hosts.has(url.host.toLowerCase())) return { ok: true, url };
  return {
    ok: false,
    problem: "not_allowed",
    reason: `${url.host} is not allowlisted (loopback, the shop and PEAKWATCH_ALLOWED_TARGETS are)`,
    url,
    allowed: ["loopback", ...listed],
  };
}

/** localhost, *.localhost, 127.0.0.0/8 and ::1; never a name that merely starts with "127.". */
export function isLoopback(host: string): boolean {
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (/^127(\.\d{1,3}){3}$/.test(host)) return host.split(".").every((p) => Number(p) <= 255);
  return host === "::1" || host === "0:0:0:0:0:0:0:1";
}

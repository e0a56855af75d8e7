import { checkLoadTarget } from "../core/allowlist.ts";

/**
 * Whether `peakwatch run` may send load to `target` (core/allowlist.ts); the refusal names
 * --target and says how to allow the host.
 */
export function checkTarget(
  target: string,
  allowed: { shopUrl?: string; extra?: string },
): { ok: true; url: URL } | { ok: false; error: string } {
  const check = checkLoadTarget(target, {
    shopUrl: allowed.shopUrl,
    extraHosts: (allowed.extra ?? "").split(","),
  });
  if (check.ok) return check;
  if (check.problem !== "not_allowed") return { ok: false, error: `--target: ${check.reason}` };
  return {
    ok: false,
    error:
      `--target: refusing to send load to ${check.url.host}: it is not allowlisted ` +
      `(allowed: ${check.allowed.join(", ")}). To allow it, add it to PEAKWATCH_ALLOWED_TARGETS, ` +
      `e.g. PEAKWATCH_ALLOWED_TARGETS=${check.url.hostname}`,
  };
}

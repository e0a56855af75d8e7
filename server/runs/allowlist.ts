import { checkLoadTarget } from "../../core/allowlist.ts";

/**
 * Whether the hub may start load against `target` (core/allowlist.ts: loopback, the configured
 * shop's host, PEAKWATCH_ALLOWED_TARGETS). Returns the reason when not.
 */
export function targetAllowed(
  target: string,
  allowed: { shopUrl: string; extraHosts: ReadonlyArray<string> },
): { ok: true } | { ok: false; reason: string } {
  const check = checkLoadTarget(target, allowed);
  return check.ok ? { ok: true } : { ok: false, reason: check.reason };
}

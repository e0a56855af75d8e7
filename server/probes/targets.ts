import { checkLoadTarget } from "../../core/allowlist.ts";
import type { Probe } from "../../core/probe.ts";

export type AllowedTargets = { shopUrl: string; extraHosts: ReadonlyArray<string> };

/** Each place a probe sends traffic, with the body field a refusal names. */
function destinations(probe: Probe): Array<{ field: string; url: string }> {
  switch (probe.kind) {
    case "http":
      return [{ field: "body.probe.url", url: probe.url }];
    case "tcp":
      return [
        {
          field: "body.probe.host",
          url: `http://${probe.host.includes(":") ? `[${probe.host}]` : probe.host}:${probe.port}`,
        },
      ];
    case "flow":
      return probe.steps.map((step, i) => ({ field: `body.probe.steps.${i}.url`, url: step.url }));
  }
}

/**
 * Why the hub must not serve `probe`, or null when every destination is allowlisted (loopback,
 * the shop, PEAKWATCH_ALLOWED_TARGETS: the rule runs and scrape targets follow). Probes kept on
 * the hub are written by anyone with the ops role and run from the probes host, so an
 * unchecked URL would let them reach whatever that host can. Hosts must be written out: a
 * templated host could be rendered into anything at check time.
 */
export function probeTargetProblem(probe: Probe, allowed: AllowedTargets): string | null {
  for (const { field, url } of destinations(probe)) {
    if (url.startsWith("{{"))
      return `${field}: write the scheme and host out (http://host:port/…); only the path and query may hold {{templates}}`;
    const check = checkLoadTarget(url, allowed);
    if (!check.ok) return `${field}: ${check.reason}`;
    if (check.url.hostname.includes("%7B%7B") || check.url.hostname.includes("{{"))
      return `${field}: write the host out; only the path and query may hold {{templates}}`;
  }
  return null;
}

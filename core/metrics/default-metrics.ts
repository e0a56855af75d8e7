import { collectDefaultMetrics, type Registry } from "prom-client";

/**
 * prom-client's gauges that `promtool check metrics` rejects: a `_total` suffix is for
 * counters. The same figures stay exported without it (`nodejs_active_handles`, …).
 */
const LINT_FAILING = [
  "nodejs_active_handles_total",
  "nodejs_active_requests_total",
  "nodejs_active_resources_total",
];

/** Registers prom-client's process and Node.js metrics on `registry`, minus the ones promtool rejects. */
export function collectProcessMetrics(registry: Registry, prefix = ""): void {
  collectDefaultMetrics({ register: registry, prefix });
  for (const name of LINT_FAILING) registry.removeSingleMetric(`${prefix}${name}`);
}

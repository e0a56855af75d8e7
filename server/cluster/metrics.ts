import { Gauge, type Registry } from "prom-client";
import type { Cluster } from "./cluster.ts";
import { leaderLocks } from "./leader.ts";

/** `peakwatch_hub_leader{duty}`: 1 for each cluster-wide duty this replica held at its last check. */
export function registerLeaderGauge(registry: Registry, cluster: Cluster): void {
  new Gauge({
    name: "peakwatch_hub_leader",
    help: "Whether this hub replica leads a cluster-wide duty (alerting, retention, scraping, supervision).",
    labelNames: ["duty"],
    registers: [registry],
    collect() {
      const leading = cluster.leading();
      for (const duty of Object.keys(leaderLocks) as Array<keyof typeof leaderLocks>)
        this.set({ duty }, leading[duty] ? 1 : 0);
    },
  });
}

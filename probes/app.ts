import { Hono } from "hono";
import type { ProbeMetrics } from "./metrics.ts";
import type { Scheduler } from "./scheduler.ts";

export interface ProbesAppDeps {
  metrics: ProbeMetrics;
  scheduler: Pick<Scheduler, "states">;
}

/** The probes process's own HTTP surface: /healthz, /metrics and a read-only GET /probes. */
export function createProbesApp(deps: ProbesAppDeps): Hono {
  const app = new Hono();
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/metrics", async (c) => {
    const body = await deps.metrics.registry.metrics();
    return c.body(body, 200, { "content-type": deps.metrics.registry.contentType });
  });
  app.get("/probes", (c) =>
    c.json({
      probes: deps.scheduler.states().map(({ probe, health, last }) => ({
        name: probe.name,
        kind: probe.kind,
        interval: probe.interval,
        state: health.state,
        lastResult: last ?? null,
      })),
    }),
  );
  return app;
}

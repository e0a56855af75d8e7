import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { collectProcessMetrics } from "../core/metrics/default-metrics.ts";

/** Label for requests that matched no route: raw paths would explode the series count. */
const UNMATCHED = "unmatched";

/** The shop's Prometheus metrics, on a registry of its own (so several shops can live in one test process). */
export class ShopMetrics {
  readonly registry = new Registry();
  readonly requestDuration = new Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request duration by route template, method and status.",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly inFlight = new Gauge({
    name: "http_requests_in_flight",
    help: "HTTP requests being served now.",
    registers: [this.registry],
  });
  readonly checkouts = new Counter({
    name: "shop_checkouts_total",
    help: "Checkouts by outcome.",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });
  readonly payments = new Counter({
    name: "shop_payments_total",
    help: "Payment charges by outcome.",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });
  readonly otp = new Counter({
    name: "shop_otp_total",
    help: "One-time codes issued, verified and failed.",
    labelNames: ["event"] as const,
    registers: [this.registry],
  });
  readonly catalogCache = new Counter({
    name: "shop_catalog_cache_total",
    help: "Catalog reads by how the cache served them: hit, miss, or bypass (cache off or cache_flush on).",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });
  readonly restocked = new Counter({
    name: "shop_restocked_products_total",
    help: "Products the warehouse deliveries brought back up to SHOP_RESTOCK_TO units.",
    registers: [this.registry],
  });
  readonly dbQueries = new Counter({
    name: "shop_db_queries_total",
    help: "Statements the shop sent to its database.",
    registers: [this.registry],
  });

  constructor() {
    // Process metrics, including nodejs_eventloop_lag_seconds.
    collectProcessMetrics(this.registry);
  }

  /** Times every request under its route template (`/api/products/:id`), never its raw path. */
  middleware(): MiddlewareHandler {
    return async (c, next) => {
      const started = performance.now();
      this.inFlight.inc();
      try {
        await next();
      } finally {
        this.inFlight.dec();
        const template = routePath(c, -1);
        const route = template === "" || template.endsWith("*") ? UNMATCHED : template;
        this.requestDuration
          .labels(c.req.method, route, String(c.res.status))
          .observe((performance.now() - started) / 1000);
      }
    };
  }
}

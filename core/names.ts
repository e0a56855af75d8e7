/**
 * Names shared by every process and the dashboard, with no imports at all, so the browser
 * bundle can use the values without pulling in zod or the histogram code.
 */

/**
 * The step name of a journey as a whole: its window counts journeys started, its histogram
 * holds whole-journey latencies, and it alone carries the arrival figures (targetRate,
 * achievedRate, dropped). Request totals therefore sum every step except this one.
 */
export const JOURNEY_STEP = "journey";

/** The shop's fault switches (parameters per switch in core/faults.ts). */
export const faultNames = [
  "latency",
  "errors",
  "payment_failure",
  "payment_unreachable",
  "failing_product",
  "slow_db",
  "cpu_burn",
  "memory_leak",
  "readiness",
  "cache_flush",
  "stock_out",
] as const;
export type FaultName = (typeof faultNames)[number];

/** The statistics a run's series can be asked for (GET /api/v1/runs/:id/series?stat=). */
export const seriesStats = [
  "p50",
  "p95",
  "p99",
  "rate",
  "errors",
  "errorRate",
  "target",
  "achieved",
  "dropped",
] as const;
export type SeriesStat = (typeof seriesStats)[number];

/** The project every row created before projects existed (and every unscoped request) belongs to. */
export const DEFAULT_PROJECT_ID = "00000000-0000-0000-0000-000000000001";
export const DEFAULT_PROJECT_SLUG = "default";

/** The request header naming the project (like Grafana's X-Grafana-Org-Id); `?project=` works too. */
export const PROJECT_HEADER = "x-peakwatch-project";

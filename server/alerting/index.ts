import { Hono } from "hono";
import type { AlertEvent } from "../../core/alert.ts";
import type { Kek } from "../../core/crypto/envelope.ts";
import type { Db } from "../../db/open.ts";
import type { AuditRecorder } from "../audit/audit-log.ts";
import type { HubConfig } from "../config.ts";
import type { HubEnv } from "../http/env.ts";
import { loadMasterKey } from "../notify/master-key.ts";
import { type AlertingConfig, loadAlertingConfig } from "./config.ts";
import type { AlertDataSource, MetricSample } from "./data.ts";
import { alertRoutes } from "./http/alert-routes.ts";
import { channelRoutes } from "./http/channel-routes.ts";
import { ruleRoutes } from "./http/rule-routes.ts";
import { silenceRoutes } from "./http/silence-routes.ts";
import { summaryRoutes } from "./http/summary-routes.ts";
import { verdictRoutes } from "./http/verdict-routes.ts";
import { hubDataSource } from "./hub-data.ts";
import { AlertingService } from "./service.ts";

/** How alerting hands an event to live push; the hub stores it, assigns `seq` and broadcasts. */
export interface AlertPublisher {
  publishAlert(event: Omit<AlertEvent, "seq">): Promise<number>;
}

export interface AlertingDeps {
  db: Db;
  config: HubConfig;
  live: AlertPublisher;
  now?: () => number;
  /** Where rules read data; default: the hub's windows, runs and probe_results tables. */
  data?: AlertDataSource;
  /** Scraped shop series for `metrics` rules, when the hub stores them. */
  metrics?: (fromMs: number, untilMs: number) => Promise<MetricSample[]>;
  /** Alerting settings; default parsed from the process environment (server/alerting/config.ts). */
  alertingConfig?: AlertingConfig;
  /** Key for channel secrets; default PEAKWATCH_MASTER_KEY or a generated file under the data dir. */
  masterKey?: Kek;
  /** With several hub replicas, whether this one leads (evaluates and notifies); default always. */
  isLeader?: () => Promise<boolean>;
  /** Where changes to silences, channels and routing are recorded; none when omitted. */
  audit?: AuditRecorder;
}

/** The alerting subsystem as the hub sees it. */
export interface Alerting {
  /** REST routes mounted under /api/v1 (rules, alerts, silences, channels, summary). */
  routes: Hono;
  /** Starts periodic evaluation and the notification queue. */
  start(): void;
  stop(): Promise<void>;
  /** Called after an ingest so rules over fresh data evaluate at once. Never blocks. */
  dataIngested(kind: "windows" | "probe-results", runIds: ReadonlyArray<string>): void;
  /** The wired parts, for tests and benchmarks. */
  service: AlertingService;
}

/** Builds alerting: rules → evaluate → group → mute → notify, and its REST routes. */
export function createAlerting(deps: AlertingDeps): Alerting {
  const now = deps.now ?? Date.now;
  const config = deps.alertingConfig ?? loadAlertingConfig();
  const service = new AlertingService({
    db: deps.db,
    config,
    kek: deps.masterKey ?? loadMasterKey(config.PEAKWATCH_MASTER_KEY, deps.config.PEAKWATCH_DATA_DIR),
    now,
    data:
      deps.data ??
      ((steps) =>
        hubDataSource(deps.db, {
          steps,
          metrics: deps.metrics,
          now,
          runStaleMs: config.PEAKWATCH_RUN_STALE_SECONDS * 1000,
        })),
    publish: (kind, alert, at) => deps.live.publishAlert({ kind, alert, at }),
    isLeader: deps.isLeader,
  });
  const routes = new Hono<HubEnv>();
  routes.route("/", alertRoutes(service));
  routes.route("/", ruleRoutes(service));
  routes.route("/", silenceRoutes(service, now, deps.audit));
  routes.route("/", channelRoutes(service, deps.audit));
  routes.route("/", summaryRoutes(deps.db, service, now));
  routes.route("/", verdictRoutes(deps.db, service, now));
  return {
    routes: routes as unknown as Hono,
    start: () => service.start(),
    stop: () => service.stop(),
    dataIngested: () => service.poke(),
    service,
  };
}

import { Hono } from "hono";
import type { AlertEvent } from "../../core/alert.ts";
import type { Db } from "../../db/open.ts";
import type { HubConfig } from "../config.ts";

/** How alerting hands an event to live push; the hub stores it, assigns `seq` and broadcasts. */
export interface AlertPublisher {
  publishAlert(event: Omit<AlertEvent, "seq">): Promise<number>;
}

export interface AlertingDeps {
  db: Db;
  config: HubConfig;
  live: AlertPublisher;
  now?: () => number;
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
}

/** Placeholder until the rule engine lands (issue 7): no routes, evaluates nothing. */
export function createAlerting(_deps: AlertingDeps): Alerting {
  return {
    routes: new Hono(),
    start() {},
    async stop() {},
    dataIngested() {},
  };
}

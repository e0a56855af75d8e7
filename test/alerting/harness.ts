import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { Hono } from "hono";
import { requestId } from "hono/request-id";
import type { AlertEvent } from "../../core/alert.ts";
import { DEFAULT_PROJECT_ID, DEFAULT_PROJECT_SLUG } from "../../core/api/projects.ts";
import type { RuleSpec } from "../../core/rule.ts";
import { RuleSpecSchema } from "../../core/rule.ts";
import { loadAlertingConfig } from "../../server/alerting/config.ts";
import type { AlertData, AlertDataSource, DataSpan, MetricSample } from "../../server/alerting/data.ts";
import { type Alerting, createAlerting } from "../../server/alerting/index.ts";
import type { Role } from "../../server/auth/roles.ts";
import { loadHubConfig } from "../../server/config.ts";
import type { HubEnv } from "../../server/http/env.ts";
import { renderError, renderNotFound } from "../../server/http/error-handler.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/db.ts";

/** A gauge the test sets; the data source reports its current value as a fresh sample each evaluation. */
export class Gauges implements AlertDataSource {
  private readonly values = new Map<string, number>();
  extra: Partial<AlertData> = {};
  set(series: string, value: number): void {
    this.values.set(series, value);
  }
  async load(span: DataSpan): Promise<AlertData> {
    // The engine takes `now` before it loads, and ignores samples stamped after it: stamp a
    // gauge a second back (still inside any rule's window), as a scraped sample would be.
    const at = Math.max(span.metricsFromMs, Date.now() - 1000);
    const metrics: MetricSample[] = [...this.values].map(([series, value]) => ({
      series,
      labels: {},
      at,
      value,
    }));
    return { windows: this.extra.windows ?? [], probes: this.extra.probes ?? [], metrics };
  }
}

/** A metrics rule over gauge `series`: fires (after `forSeconds`) while the gauge is above 1. */
export function gaugeRule(
  name: string,
  series: string,
  extra: Partial<Record<string, unknown>> = {},
): RuleSpec {
  return RuleSpecSchema.parse({
    kind: "threshold",
    name,
    severity: "critical",
    query: { source: "metrics", series, stat: "last", windowSeconds: 5 },
    comparator: ">",
    threshold: 1,
    annotations: { summary: "{{ $labels.series }} is {{ $value }}" },
    ...extra,
  });
}

/** Empties alerting's tables so the next test on a shared database starts clean. */
export async function resetAlerting(database: TestDatabase): Promise<void> {
  await database.db.execute(
    sql`truncate alerting.rules, alerting.alerts, alerting.alert_history, alerting.silences, alerting.channels, alerting.routing, alerting.deliveries, alerting.captured_emails, alerting.notification_log, alerting.acknowledgements, alerting.pending_notices, alerting.rule_measurements`,
  );
}

export interface Harness {
  alerting: Alerting;
  database: TestDatabase;
  gauges: Gauges;
  /** Every event handed to live push, in order. */
  events: Array<Omit<AlertEvent, "seq">>;
  /** The REST routes behind a test auth: header x-test-role picks the caller's role. */
  request(method: string, path: string, role: Role, body?: unknown): Promise<Response>;
  close(): Promise<void>;
}

/**
 * Alerting on a fresh database with a controllable data source, fast timers and the given rules
 * (the defaults are not seeded when rules are given). Not started: call `alerting.start()`.
 */
export async function startAlerting(
  kind: "pglite" | "postgres",
  options: {
    rules?: RuleSpec[];
    env?: Record<string, string>;
    database?: TestDatabase;
    /** The key sealing channel secrets; share it to restart on the same database. */
    masterKey?: Buffer;
  } = {},
): Promise<Harness> {
  const database = options.database ?? (await createTestDatabase(kind, ["hub", "alerting"]));
  const gauges = new Gauges();
  const events: Harness["events"] = [];
  const alerting = createAlerting({
    db: database.db,
    config: loadHubConfig({}),
    live: {
      publishAlert: async (event) => {
        events.push(event);
        return events.length;
      },
    },
    data: gauges,
    alertingConfig: loadAlertingConfig({
      PEAKWATCH_ALERT_EVAL_INTERVAL_MS: "200",
      PEAKWATCH_NOTIFY_BACKOFF_MS: "100",
      PEAKWATCH_NOTIFY_TIMEOUT_MS: "3000",
      ...options.env,
    }),
    masterKey: { id: "test", key: options.masterKey ?? randomBytes(32) },
  });
  for (const rule of options.rules ?? [])
    await alerting.service.rules.create(rule, "test", false, DEFAULT_PROJECT_ID);
  const app = new Hono<HubEnv>();
  app.use(requestId());
  app.onError(renderError);
  app.notFound(renderNotFound);
  app.use(async (c, next) => {
    const role = c.req.header("x-test-role") as Role;
    c.set("principal", {
      kind: "user",
      userId: "u",
      email: `${role}@peakwatch.test`,
      role,
      instanceRole: role,
      sessionId: "s",
      csrfToken: "t",
      viaCookie: false,
    });
    // What projectScope sets on the hub: this harness works in the default project.
    c.set("project", { id: DEFAULT_PROJECT_ID, slug: DEFAULT_PROJECT_SLUG });
    await next();
  });
  app.route("/api/v1", alerting.routes as unknown as Hono<HubEnv>);
  return {
    alerting,
    database,
    gauges,
    events,
    request: (method, path, role, body) =>
      Promise.resolve(
        app.request(`/api/v1${path}`, {
          method,
          headers: { "x-test-role": role, "content-type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
      ),
    close: async () => {
      await alerting.stop();
      if (options.database) await resetAlerting(database);
      else await database.close();
    },
  };
}

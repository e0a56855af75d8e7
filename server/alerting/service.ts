import { randomUUID } from "node:crypto";
import { gte, lt } from "drizzle-orm";
import type { Alert, AlertEventKind } from "../../core/alert.ts";
import { DEFAULT_PROJECT_ID } from "../../core/api/projects.ts";
import type { ChannelTestResult, InhibitRule } from "../../core/channel.ts";
import type { Kek } from "../../core/crypto/envelope.ts";
import { AppError } from "../../core/http/app-error.ts";
import { loggable } from "../../db/loggable-error.ts";
import type { Db } from "../../db/open.ts";
import { acknowledgements } from "../../db/schema/alerting.ts";
import { projects } from "../../db/schema/hub.ts";
import { ChannelStore } from "../notify/channel-store.ts";
import { envChannels, readAlertingFile } from "../notify/declared.ts";
import { DeliveryStore } from "../notify/delivery-store.ts";
import { type ChannelHandle, Dispatcher } from "../notify/dispatcher.ts";
import type { Mail } from "../notify/email.ts";
import { AlertmanagerForwarder } from "../notify/forwarder.ts";
import type { GroupedAlert } from "../notify/group.ts";
import { NotificationLog } from "../notify/notification-log.ts";
import {
  type ProjectRouting,
  projectChannelName,
  projectInhibitRules,
  projectRoutingTree,
} from "../notify/project-routing.ts";
import { DeliveryQueue } from "../notify/queue.ts";
import { redactSecrets } from "../notify/redact.ts";
import { buildNotifier } from "../notify/registry.ts";
import { defaultRoute, RoutingStore } from "../notify/routing-store.ts";
import { ProjectIds } from "../projects/project-ids.ts";
import { AlertStore } from "./alert-store.ts";
import type { AlertingConfig } from "./config.ts";
import type { AlertDataSource } from "./data.ts";
import { defaultInhibitRules, defaultRules } from "./defaults.ts";
import { AlertEngine } from "./engine.ts";
import { MeasurementStore } from "./measurement-store.ts";
import { alertInProject } from "./project-label.ts";
import { RuleStore } from "./rule-store.ts";
import { SilenceStore } from "./silence-store.ts";

export interface ServiceOptions {
  db: Db;
  config: AlertingConfig;
  kek: Kek;
  now: () => number;
  data: AlertDataSource | ((steps: () => ReadonlyArray<string>) => AlertDataSource);
  publish: (kind: AlertEventKind, alert: Alert, at: number) => Promise<unknown>;
  isLeader?: () => Promise<boolean>;
}

/** Acknowledgements older than this were applied long ago (the alert row keeps who and when). */
const ACK_LOOKBACK_MS = 10 * 60 * 1000;
/** How often a leading replica re-reads what other replicas may have changed. */
const REPLICA_REFRESH_MS = 10_000;

/**
 * Alerting's parts wired together: stores, the engine (rules → evaluate → mute), the dispatcher
 * and Alertmanager forwarder (group → notify) and the delivery queue.
 */
export class AlertingService {
  readonly rules: RuleStore;
  readonly silences: SilenceStore;
  readonly alertStore: AlertStore;
  readonly channels: ChannelStore;
  readonly routing: RoutingStore;
  readonly deliveries: DeliveryStore;
  readonly queue: DeliveryQueue;
  readonly engine: AlertEngine;
  readonly notificationLog: NotificationLog;
  /** The leader's latest figures per rule, for every replica's Summary. */
  readonly measurements: MeasurementStore;
  private readonly dispatcher: Dispatcher;
  private readonly forwarder: AlertmanagerForwarder;
  private inhibitRules: InhibitRule[] = defaultInhibitRules;
  private steps: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  private refresher: NodeJS.Timeout | null = null;
  private ready: Promise<void> | null = null;

  private readonly db: Db;

  constructor(private readonly options: ServiceOptions) {
    const { db, config, now } = options;
    this.db = db;
    this.rules = new RuleStore(db, now);
    this.silences = new SilenceStore(db, now);
    this.alertStore = new AlertStore(db, new ProjectIds(db));
    this.channels = new ChannelStore(db, options.kek, now);
    this.routing = new RoutingStore(db, now);
    this.deliveries = new DeliveryStore(db);
    this.queue = new DeliveryQueue({
      timeoutMs: config.PEAKWATCH_NOTIFY_TIMEOUT_MS,
      maxAttempts: config.PEAKWATCH_NOTIFY_MAX_ATTEMPTS,
      backoffMs: config.PEAKWATCH_NOTIFY_BACKOFF_MS,
      now,
      log: this.deliveries.record,
    });
    const generatorURL = (a: GroupedAlert) =>
      `${config.PEAKWATCH_EXTERNAL_URL.replace(/\/$/, "")}/#/alerts?fingerprint=${a.fingerprint}`;
    this.notificationLog = new NotificationLog(db, now);
    this.measurements = new MeasurementStore(db);
    this.dispatcher = new Dispatcher({
      queue: this.queue,
      externalURL: config.PEAKWATCH_EXTERNAL_URL,
      generatorURL,
      log: this.notificationLog,
      resendGraceMs: config.PEAKWATCH_NOTIFY_RESEND_GRACE_SECONDS * 1000,
      defaults: {
        groupBy: ["alertname"],
        groupWaitSeconds: config.PEAKWATCH_GROUP_WAIT_SECONDS,
        groupIntervalSeconds: config.PEAKWATCH_GROUP_INTERVAL_SECONDS,
        repeatIntervalSeconds: config.PEAKWATCH_REPEAT_INTERVAL_SECONDS,
      },
    });
    this.forwarder = new AlertmanagerForwarder({
      queue: this.queue,
      resendMs: config.PEAKWATCH_ALERTMANAGER_RESEND_MS,
      externalURL: config.PEAKWATCH_EXTERNAL_URL,
      generatorURL,
    });
    const data = typeof options.data === "function" ? options.data(() => this.steps) : options.data;
    this.engine = new AlertEngine({
      store: this.alertStore,
      data,
      now,
      loadRules: async () => {
        const rules = await this.rules.listForEvaluation();
        this.steps = [
          ...new Set(
            rules.flatMap((r) =>
              r.kind === "burn_rate" ? [r.step] : r.query.source === "windows" ? [r.query.step] : [],
            ),
          ),
        ];
        return rules;
      },
      loadSilences: () => this.silences.listForEvaluation(),
      inhibitRules: () => this.inhibitRules,
      publish: options.publish,
      isLeader: options.isLeader,
      onLeadership: async () => {
        await this.reloadChannels();
        await this.dispatcher.restore();
      },
      loadAcknowledgements: () =>
        this.db
          .select()
          .from(acknowledgements)
          .where(gte(acknowledgements.at, now() - ACK_LOOKBACK_MS)),
      reminderIntervalMs: config.PEAKWATCH_REPEAT_INTERVAL_SECONDS * 1000,
      notify: (alerts, at) => {
        this.dispatcher.update(alerts, at);
        this.forwarder.update(alerts, at);
        this.measurements.save(this.engine.measured, at);
      },
    });
  }

  /** Seeds rules, applies declared channels and routing, loads alert state. Idempotent. */
  init(): Promise<void> {
    this.ready ??= (async () => {
      const { config } = this.options;
      await this.rules.seed(defaultRules);
      if (config.PEAKWATCH_ALERTING_CONFIG) {
        const file = readAlertingFile(config.PEAKWATCH_ALERTING_CONFIG);
        await this.channels.declare("config", file.channels);
        if (file.route || file.inhibitRules) {
          await this.routing.put(
            DEFAULT_PROJECT_ID,
            {
              route: file.route ?? defaultRoute(file.channels),
              inhibitRules: file.inhibitRules ?? defaultInhibitRules,
            },
            "config",
          );
        }
      } else {
        await this.channels.declare("config", []);
      }
      await this.channels.declare("env", envChannels(config));
      await this.reloadChannels();
      await this.dispatcher.restore();
      await this.engine.init();
    })();
    return this.ready;
  }

  /**
   * Rebuilds notifiers, the routing tree and the inhibition rules after a channel or routing
   * change: every project routes its own alerts through its own tree to its own channels, and its
   * Alertmanager channels are forwarded its own alerts only.
   */
  async reloadChannels(): Promise<void> {
    const projectList = await this.db
      .select({ id: projects.id, slug: projects.slug })
      .from(projects)
      .orderBy(projects.slug);
    const byId = new Map(projectList.map((p) => [p.id, p]));
    const rows = (await this.channels.allRows()).filter((r) => r.enabled && byId.has(r.projectId));
    const handles: ChannelHandle[] = [];
    for (const row of rows) {
      const project = byId.get(row.projectId)!;
      const name = projectChannelName(project, row.name);
      try {
        const notifier = buildNotifier(this.channels.reveal(row), this.notifierContext(project.id));
        handles.push({ name, kind: row.kind, project, notifier });
      } catch (error) {
        console.error(`alerting: channel ${name} cannot be used:`, loggable(error));
      }
    }
    const docs = await this.routing.all();
    const routings: ProjectRouting[] = projectList.map((project) => ({
      project,
      doc: docs.get(project.id) ?? null,
      channels: rows.filter((r) => r.projectId === project.id),
    }));
    this.inhibitRules = projectInhibitRules(routings, defaultInhibitRules);
    this.dispatcher.configure(
      projectRoutingTree(routings),
      handles.filter((h) => h.kind !== "alertmanager"),
    );
    this.forwarder.configure(handles.filter((h) => h.kind === "alertmanager"));
  }

  /** What a notifier of one of the project's channels is built with. */
  private notifierContext(projectId: string) {
    return {
      now: this.options.now,
      timeoutMs: this.options.config.PEAKWATCH_NOTIFY_TIMEOUT_MS,
      smtpUrl: this.options.config.SMTP_URL,
      mailFrom: this.options.config.PEAKWATCH_ALERT_EMAIL_FROM,
      capture: (mail: Mail) => this.deliveries.capture(mail, projectId),
      alertmanagerValidForMs: 4 * this.options.config.PEAKWATCH_ALERTMANAGER_RESEND_MS,
    };
  }

  /**
   * Acknowledges one of the project's alerts on any replica: stored for the leader (which applies
   * and announces it), shown at once here. Throws not_found (another project's alert too) or
   * conflict as the engine does.
   */
  async acknowledge(fingerprint: string, by: string, project: { id: string; slug: string }): Promise<Alert> {
    const current = this.engine.list().find((a) => a.fingerprint === fingerprint);
    if (current && !alertInProject(current.labels, project))
      throw new AppError("not_found", `no current alert ${fingerprint}`);
    const now = this.options.now();
    const shown = this.engine.acknowledge(fingerprint, by, now);
    if (shown.activeAt !== null) {
      await this.db
        .insert(acknowledgements)
        .values({
          projectId: project.id,
          fingerprint,
          activeAt: shown.activeAt,
          by: shown.acknowledgedBy ?? by,
          at: now,
        })
        .onConflictDoNothing();
      await this.db.delete(acknowledgements).where(lt(acknowledgements.at, now - 7 * 24 * 3600 * 1000));
    }
    this.poke();
    return shown;
  }

  /**
   * "Send test": one test notification to a saved channel (enabled or not), now, bypassing
   * grouping and the queue; logged as a delivery of kind "test". Never throws on delivery failure.
   */
  async testChannel(
    id: string,
    by: string,
    project: { id: string; slug: string },
  ): Promise<ChannelTestResult> {
    const row = await this.channels.row(id, project.id);
    const { now, config } = this.options;
    const at = now();
    const notifier = buildNotifier(this.channels.reveal(row), this.notifierContext(project.id));
    const alert = {
      status: "firing" as const,
      labels: { alertname: "PeakwatchTest", severity: "info", channel: row.name },
      annotations: { summary: `Test notification from Peakwatch, sent by ${by}` },
      startsAt: at,
      endsAt: null,
      generatorURL: config.PEAKWATCH_EXTERNAL_URL,
      fingerprint: "0000000000000000",
      acknowledgedBy: null,
      recovering: false,
    };
    const notification = {
      id: randomUUID(),
      groupKey: `test:${row.name}`,
      receiver: row.name,
      status: "firing" as const,
      reminder: false,
      groupLabels: { alertname: "PeakwatchTest" },
      commonLabels: alert.labels,
      commonAnnotations: alert.annotations,
      externalURL: config.PEAKWATCH_EXTERNAL_URL,
      alerts: [alert],
    };
    const started = performance.now();
    const signal = AbortSignal.timeout(config.PEAKWATCH_NOTIFY_TIMEOUT_MS);
    const result = await notifier.send(notification, signal).catch((error: unknown) => ({
      ok: false as const,
      retryable: true,
      error: error instanceof Error ? error.message : String(error),
    }));
    const error = result.ok ? null : redactSecrets(result.error);
    this.deliveries.record({
      id: notification.id,
      projectId: project.id,
      channel: projectChannelName(project, row.name),
      channelKind: row.kind,
      groupKey: notification.groupKey,
      kind: "test",
      status: result.ok ? "sent" : "failed",
      attempts: 1,
      lastError: error,
      summary: `test notification by ${by}`,
      at,
    });
    await this.deliveries.flushed();
    return { ok: result.ok, error, durationMs: Math.round(performance.now() - started) };
  }

  start(): void {
    if (this.timer) return;
    void this.init()
      .then(() => this.engine.trigger())
      .catch((error) => console.error("alerting: start-up failed:", loggable(error)));
    this.timer = setInterval(() => {
      if (this.ready)
        void this.ready.then(
          () => this.engine.trigger(),
          () => {},
        );
    }, this.options.config.PEAKWATCH_ALERT_EVAL_INTERVAL_MS);
    this.timer.unref();
    // With replicas, rules, silences and channels may change through another one: the leader
    // re-reads them now and then (a replica that takes over re-reads them at once).
    if (this.options.isLeader) {
      this.refresher = setInterval(() => {
        if (!this.engine.leading) return;
        this.engine.invalidateRules();
        this.engine.invalidateSilences();
        void this.reloadChannels().catch((error) =>
          console.error("alerting: reloading channels failed:", loggable(error)),
        );
      }, REPLICA_REFRESH_MS);
      this.refresher.unref();
    }
  }

  /** Evaluate soon (after an ingest); never blocks. */
  poke(): void {
    if (this.ready)
      void this.ready.then(
        () => this.engine.trigger(),
        () => {},
      );
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.refresher) clearInterval(this.refresher);
    this.timer = null;
    await this.ready?.catch(() => {});
    await this.engine.stop();
    await this.queue.stop();
    await this.deliveries.flushed();
    await this.notificationLog.flushed();
    await this.measurements.flushed();
  }
}

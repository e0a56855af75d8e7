import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { eq } from "drizzle-orm";
import type { StoppedBy } from "../core/run.ts";
import type { Window } from "../core/window.ts";
import { loggableMessage } from "../db/loggable-error.ts";
import type { Db } from "../db/open.ts";
import { runs } from "../db/schema/hub.ts";
import { loadAlertingConfig } from "./alerting/config.ts";
import { createAlerting } from "./alerting/index.ts";
import { createHubApp } from "./app.ts";
import { AuditLog, auditExpiredUser } from "./audit/audit-log.ts";
import { auditRoutes } from "./audit/routes.ts";
import { adminRoutes } from "./auth/admin-routes.ts";
import { AgentTokens } from "./auth/agent-tokens.ts";
import { Login } from "./auth/login.ts";
import { DbLimiter } from "./auth/login-limits.ts";
import { consoleMailer, type LoginMailer, smtpMailer } from "./auth/mailer.ts";
import { authRoutes } from "./auth/routes.ts";
import { sessionResolver } from "./auth/session-resolver.ts";
import { Sessions } from "./auth/sessions.ts";
import { Users } from "./auth/users.ts";
import { withBackupAge } from "./backup/age-sample.ts";
import { createHubBackups } from "./backup/index.ts";
import { localBus, postgresBus, type RunSeconds, widenRunSeconds } from "./cluster/bus.ts";
import { postgresCluster, soleCluster } from "./cluster/cluster.ts";
import { registerLeaderGauge } from "./cluster/metrics.ts";
import { relayClusterEvents } from "./cluster/relay.ts";
import type { HubConfig } from "./config.ts";
import { faultRoutes } from "./faults/routes.ts";
import { pushFaultChange } from "./faults/shared.ts";
import { agentResolver } from "./http/auth.ts";
import { configRoutes } from "./http/config-routes.ts";
import { perInterval } from "./ingest/per-interval.ts";
import { perTick } from "./ingest/per-tick.ts";
import type { IngestListener } from "./ingest/routes.ts";
import { runProjectOf } from "./ingest/store.ts";
import { WindowWriter } from "./ingest/window-writer.ts";
import { AlertLog } from "./live/alert-log.ts";
import { LiveHub } from "./live/live-hub.ts";
import { LiveWindows } from "./live/live-windows.ts";
import { attachLiveUpgrade } from "./live/upgrade.ts";
import { registerAggregates } from "./metrics/aggregates.ts";
import { createHubMetrics, type HubMetrics } from "./metrics/hub-metrics.ts";
import { probeDefinitionRoutes } from "./probes/definition-routes.ts";
import { probeRoutes } from "./probes/routes.ts";
import { Projects } from "./projects/projects.ts";
import { projectRoutes } from "./projects/routes.ts";
import { readinessRoutes } from "./readiness/routes.ts";
import { Retention } from "./retention/retention.ts";
import { RunCoordinator } from "./runs/coordinator.ts";
import { RunLauncher } from "./runs/launcher.ts";
import { runRoutes } from "./runs/routes.ts";
import { rowToRunView } from "./runs/run-view.ts";
import { latestSecondOf, RunWorkers, type WorkerHeard } from "./runs/run-workers.ts";
import { MinuteRollups } from "./runs/slices-rollup.ts";
import { RunSupervisor } from "./runs/supervisor.ts";
import { scrapeRoutes } from "./scraper/routes.ts";
import { Scraper, scrapedMetrics } from "./scraper/scraper.ts";
import { ScrapeTargets } from "./scraper/target-store.ts";

export interface StartHubOptions {
  db: Db;
  driver: "pglite" | "postgres";
  config: HubConfig;
  now?: () => number;
  /** Where login codes go; default the console, or SMTP when SMTP_URL is set. */
  mailer?: LoginMailer;
  /** The embedded database's dump, for scheduled backups (PGlite only; Postgres uses pg_dump). */
  dumpDataDir?: (() => Promise<Blob>) | undefined;
}

/** A listening hub: its URL, its parts tests and main need, and how to stop it. */
export interface RunningHub {
  url: string;
  port: number;
  agents: AgentTokens;
  users: Users;
  sessions: Sessions;
  live: LiveHub;
  alerts: AlertLog;
  scraper: Scraper;
  retention: Retention;
  metrics: HubMetrics;
  /** Every route the hub's app registered (middleware shows as method ALL). */
  routes: ReadonlyArray<{ method: string; path: string }>;
  close(): Promise<void>;
}

/**
 * Wires the hub's parts (stores, auth, live push, alerting, background jobs) into one HTTP
 * server and starts listening. Throws when the port is taken.
 */
export async function startHub(options: StartHubOptions): Promise<RunningHub> {
  const { db, config } = options;
  const now = options.now ?? Date.now;
  const metrics = createHubMetrics();
  registerAggregates(metrics.registry, db, now);
  const audit = new AuditLog(db, now);
  const agents = new AgentTokens(db, config.PEAKWATCH_AGENT_TOKEN, now, audit);
  const users = new Users(db);
  const projects = new Projects(db);
  await users.ensureAdmin(config.PEAKWATCH_ADMIN_EMAIL);
  const sessions = new Sessions(
    db,
    {
      idleTimeoutMs: config.HUB_SESSION_IDLE_MINUTES * 60_000,
      absoluteTimeoutMs: config.HUB_SESSION_MAX_MINUTES * 60_000,
      touchIntervalMs: 60_000,
    },
    now,
    (user) => auditExpiredUser(audit, user),
  );
  const mailer =
    options.mailer ?? (config.SMTP_URL ? smtpMailer(config.SMTP_URL, config.HUB_MAIL_FROM) : consoleMailer());
  // Without a configured secret, codes in flight die with the process: harmless, they last 10 minutes.
  // Shared by every replica on the database; per-process counts would multiply with replicas.
  const loginLimit = (name: string, limit: number) =>
    new DbLimiter(db, { name, limit, windowMs: 10 * 60_000, now });
  const login = new Login(db, users, mailer, config.HUB_OTP_SECRET ?? randomBytes(32).toString("hex"), now, {
    codesPerAddress: loginLimit("codes_per_address", config.HUB_LOGIN_CODES_PER_ADDRESS),
    codesPerAccountAndAddress: loginLimit("codes_per_account_address", config.HUB_LOGIN_CODES_PER_ACCOUNT),
    failuresPerAddress: loginLimit("failures_per_address", config.HUB_LOGIN_FAILURES_PER_ADDRESS),
  });
  const resolvers = [agentResolver((t) => agents.verify(t)), sessionResolver(sessions)];

  let alertLog: AlertLog | undefined;
  const live = new LiveHub({
    metrics,
    alertHistory: (after, limit) => alertLog!.since(after, limit),
    maxBufferBytes: config.HUB_LIVE_MAX_BUFFER_BYTES,
    sliceMs: config.HUB_LIVE_SLICE_MS,
    heartbeatMs: config.HUB_LIVE_HEARTBEAT_SECONDS * 1000,
    stillAllowed: async (p) => p.kind !== "user" || (await sessions.findByHash(p.sessionId)) !== null,
    runProject: (runId) => runProjectOf(db, runId),
  });
  const postgresUrl = options.driver === "postgres" ? config.databaseUrl : undefined;
  // Across replicas on one Postgres, live events travel by LISTEN/NOTIFY; PGlite is one process.
  const bus = postgresUrl ? await postgresBus(postgresUrl) : localBus;
  // Replicas see each other through advisory locks: who leads each duty, who is still alive.
  const cluster = postgresUrl ? await postgresCluster(postgresUrl) : soleCluster();
  registerLeaderGauge(metrics.registry, cluster);
  alertLog = new AlertLog(db, live, {
    serialiseInserts: options.driver === "postgres",
    stored: () => bus.publish({ type: "alerts" }),
  });
  await alertLog.init();
  const liveWindows = new LiveWindows(live);
  // Reads of long runs come from these per-minute roll-ups, merged in the background as windows arrive.
  const rollups = new MinuteRollups(db, { now });
  // Ingest's group commit: batches wait here for the database; the queue is a gauge below.
  const windowWriter = new WindowWriter(db, { maxQueuedRows: config.HUB_INGEST_MAX_QUEUED_WINDOWS });
  const windowTicker = setInterval(() => {
    liveWindows.tick();
    const held = live.heldBack;
    metrics.queueDepth.set({ queue: "live_coalesced_windows" }, held.windows);
    metrics.queueDepth.set({ queue: "live_resume_alerts" }, held.alerts);
    metrics.queueDepth.set({ queue: "live_sends" }, live.queuedSends);
    metrics.queueDepth.set({ queue: "running_generators" }, launcher.running);
    metrics.queueDepth.set({ queue: "ingest_windows" }, windowWriter.queuedRows);
  }, 1000).unref();

  const scrapeTargets = new ScrapeTargets(db);
  const scraper = new Scraper({
    db,
    stored: scrapeTargets,
    targets: config.HUB_SCRAPE_TARGETS?.split(",")
      .map((t) => t.trim())
      .filter(Boolean) ?? [new URL("/metrics", config.PEAKWATCH_SHOP_URL).toString()],
    intervalMs: config.HUB_SCRAPE_INTERVAL_SECONDS * 1000,
    metrics,
    now,
    isLeader: () => scrapeLeadership.isLeader(),
  });
  const scrapeLeadership = cluster.leadership("scraping");
  const leadership = cluster.leadership("retention");
  const retention = new Retention({
    db,
    rawRetentionHours: config.HUB_RAW_RETENTION_HOURS,
    retentionDays: config.HUB_RETENTION_DAYS,
    intervalMs: config.HUB_RETENTION_INTERVAL_MINUTES * 60_000,
    now,
    leadership,
  });
  const backups = createHubBackups({
    config,
    driver: options.driver,
    dumpDataDir: options.dumpDataDir,
    registry: metrics.registry,
    isLeader: () => leadership.isLeader(),
    now,
  });
  // One replica evaluates rules and notifies; another takes over when its connection drops.
  const alertLeadership = cluster.leadership("alerting");
  // Read once here so the dashboard is told the same notification link the channels use.
  const alertingConfig = loadAlertingConfig();
  const alerting = createAlerting({
    db,
    config,
    alertingConfig,
    now,
    live: alertLog,
    metrics: withBackupAge(
      scrapedMetrics(db),
      backups.scheduler,
      config.HUB_BACKUP_INTERVAL_HOURS > 0,
      now(),
    ),
    isLeader: () => alertLeadership.isLeader(),
    audit,
  });
  metrics.ruleEvaluationSeconds.collect = () => alerting.service.engine.lastDurationMs / 1000;
  // Windows are the workers' heartbeats, whichever replica stores them: two statements a second.
  const heartbeats = perInterval<Window, Map<string, WorkerHeard>>({
    intervalMs: HEARTBEAT_INTERVAL_MS,
    start: () => new Map(),
    add: latestSecondOf,
    drain: (heard) => runWorkers.heard([...heard.values()]),
    onError: (error) => console.error(`run workers: ${loggableMessage(error)}`),
  });
  // Other replicas read the new windows back for their live clients: a notice per quarter second.
  const windowNotices = perInterval<Window, Map<string, RunSeconds>>({
    intervalMs: WINDOW_NOTICE_INTERVAL_MS,
    start: () => new Map(),
    add: widenRunSeconds,
    drain: (ranges) => bus.publish({ type: "windows", runs: [...ranges.values()] }),
  });
  // Once per event-loop turn for every batch stored in it, after the replies: not per request.
  const afterWindowsStored = perTick<Window>((windows) => {
    liveWindows.ingest(windows);
    heartbeats.add(windows);
    windowNotices.add(windows);
    alerting.dataIngested("windows", [...new Set(windows.map((w) => w.runId))]);
  });
  const ingestListeners: IngestListener[] = [
    {
      windowsStored: (windows, seconds, projectId) => {
        metrics.ingestedWindows.inc({ kind: "windows" }, windows.length);
        // Folded into their minutes in slices of their own, after this turn's replies.
        rollups.noteIngested(windows, projectId);
        metrics.ingestBatchSeconds.observe({ kind: "windows" }, seconds);
        afterWindowsStored(windows);
      },
      probeResultsStored: (results, seconds, projectId) => {
        metrics.ingestedWindows.inc({ kind: "probe-results" }, results.length);
        metrics.ingestBatchSeconds.observe({ kind: "probe-results" }, seconds);
        for (const result of results) live.broadcast("probes", { type: "probe", result }, projectId);
        bus.publish({ type: "probes", ids: results.map((r) => r.id) });
        alerting.dataIngested("probe-results", []);
      },
      runStored: (run, projectId, report, by) => {
        live.broadcast("runs", { type: "run", run }, projectId);
        live.broadcastRun(run.runId, { type: "run", run });
        bus.publish({ type: "run", runId: run.runId });
        // Only the run's own workers (its token) may stop it; another agent of the project only reports.
        if (report.stoppedBy && report.workers > 1 && by === `run:${report.runId}`)
          stopOnThreshold(report.runId, report.stoppedBy).catch((error) =>
            console.error(
              `run ${report.runId}: could not stop its other workers: ${(error as Error).message}`,
            ),
          );
      },
    },
  ];
  let hubUrl = "";
  const runChanged = (runId: string) => {
    pushRun(runId);
    bus.publish({ type: "run", runId });
  };
  const pushRun = (runId: string) => {
    void db
      .select()
      .from(runs)
      .where(eq(runs.runId, runId))
      .then(([row]) => {
        if (!row) return;
        const run = rowToRunView(row);
        live.broadcast("runs", { type: "run", run }, row.projectId);
        live.broadcastRun(runId, { type: "run", run });
      })
      .catch(() => {});
  };
  const runWorkers = new RunWorkers(db, now);
  const coordinator = new RunCoordinator({
    db,
    agents,
    workers: runWorkers,
    changed: runChanged,
    now,
    rollups,
  });
  // An abort threshold that stopped one worker of a split run stops the others, as a user's stop would.
  const stopOnThreshold = async (runId: string, stoppedBy: StoppedBy) => {
    if (!(await coordinator.stopOnThreshold(runId, stoppedBy))) return;
    runChanged(runId);
    if (!launcher.stop(runId, "stop")) bus.publish({ type: "stop", runId });
  };
  const workerHubUrl = () => config.HUB_WORKER_HUB_URL ?? hubUrl;
  const launcher = new RunLauncher({
    db,
    agents,
    workers: runWorkers,
    coordinator,
    replica: cluster.self,
    hubUrl: workerHubUrl,
    dataDir: config.PEAKWATCH_DATA_DIR,
    shop: {
      url: config.PEAKWATCH_SHOP_URL,
      adminToken: config.SHOP_ADMIN_TOKEN,
      testHooksToken: config.SHOP_TEST_HOOKS_TOKEN,
    },
    command: config.HUB_RUN_COMMAND,
  });
  const supervisor = new RunSupervisor({
    db,
    cluster,
    leadership: cluster.leadership("supervision"),
    workers: runWorkers,
    coordinator,
    workerTimeoutMs: config.HUB_WORKER_TIMEOUT_SECONDS * 1000,
    runStaleMs: alertingConfig.PEAKWATCH_RUN_STALE_SECONDS * 1000,
    now,
    changed: runChanged,
  });
  const app = createHubApp({
    db,
    config,
    agents,
    metrics,
    resolvers,
    now,
    apiRoutes: [
      authRoutes({
        login,
        sessions,
        cookieSecure: config.HUB_COOKIE_SECURE,
        cookieMaxAge: config.HUB_SESSION_MAX_MINUTES * 60,
        trustProxy: config.HUB_TRUST_PROXY,
      }),
      adminRoutes({ users, sessions, agents, audit, now }),
      projectRoutes({ projects, users, audit }),
      auditRoutes(audit),
      runRoutes({
        db,
        launcher,
        coordinator,
        workersStore: runWorkers,
        replicaKey: cluster.self.key,
        stopRequested: (runId) => bus.publish({ type: "stop", runId }),
        dataDir: config.PEAKWATCH_DATA_DIR,
        workerHubUrl,
        startDelayMs: {
          local: config.HUB_RUN_START_DELAY_SECONDS * 1000,
          kubernetes: config.HUB_KUBERNETES_START_DELAY_SECONDS * 1000,
        },
        createRunToken: async (runId, projectId) =>
          (await agents.create(`run:${runId}`, null, null, projectId)).token,
        shopUrl: config.PEAKWATCH_SHOP_URL,
        allowedHosts: config.PEAKWATCH_ALLOWED_TARGETS,
        changed: runChanged,
        rollups,
      }),
      // Before probeRoutes: its viewer-only /probes/* middleware would refuse the agents' poll.
      probeDefinitionRoutes({
        db,
        allowed: { shopUrl: config.PEAKWATCH_SHOP_URL, extraHosts: config.PEAKWATCH_ALLOWED_TARGETS },
      }),
      probeRoutes({ db }),
      readinessRoutes({ db, now }),
      configRoutes(() => ({
        shopUrl: config.PEAKWATCH_SHOP_URL,
        allowedTargets: config.PEAKWATCH_ALLOWED_TARGETS,
        externalUrl: alertingConfig.PEAKWATCH_EXTERNAL_URL,
      })),
      scrapeRoutes({
        db,
        scraper,
        targets: scrapeTargets,
        allowed: { shopUrl: config.PEAKWATCH_SHOP_URL, extraHosts: config.PEAKWATCH_ALLOWED_TARGETS },
        audit,
      }),
      faultRoutes({
        shopUrl: config.PEAKWATCH_SHOP_URL,
        adminToken: config.SHOP_ADMIN_TOKEN,
        db,
        audit,
        changed: (change, projectId) => {
          console.log(`fault ${change.fault} ${change.action} by ${change.by}`);
          pushFaultChange(live, change, projectId);
          bus.publish({ type: "fault", change, projectId });
        },
      }),
      alerting.routes,
      backups.routes,
    ],
    ingestListeners,
    windowWriter,
  });

  const server = serve({
    fetch: app.fetch,
    port: config.PEAKWATCH_HUB_PORT,
    hostname: config.PEAKWATCH_HOST,
  }) as Server;
  relayClusterEvents({
    db,
    bus,
    live,
    liveWindows,
    alerts: alertLog,
    pushRun,
    stopRequested: () => void launcher.checkStopRequests(),
  });
  const wss = attachLiveUpgrade(server, {
    live,
    resolvers,
    maxClients: config.HUB_LIVE_MAX_CLIENTS,
    projects,
    allowedOrigins: config.HUB_ALLOWED_ORIGINS,
  });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new Error(
              `port ${config.PEAKWATCH_HUB_PORT} is already in use (set PEAKWATCH_HUB_PORT to another port)`,
            )
          : error,
      ),
    );
  });
  alerting.start();
  scraper.start();
  retention.start();
  backups.scheduler.start();
  launcher.start();
  supervisor.start();
  const port = (server.address() as AddressInfo).port;
  hubUrl = `http://${config.PEAKWATCH_HOST.includes(":") ? `[${config.PEAKWATCH_HOST}]` : config.PEAKWATCH_HOST}:${port}`;
  return {
    url: hubUrl,
    port,
    agents,
    users,
    sessions,
    live,
    alerts: alertLog,
    scraper,
    retention,
    metrics,
    routes: app.routes.map((r) => ({ method: r.method, path: r.path })),
    close: async () => {
      // Stop accepting first; requests in flight finish (cut off only after 5 s).
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const cutOff = setTimeout(() => server.closeAllConnections(), 5_000).unref();
      clearInterval(windowTicker);
      await windowNotices.flush();
      await supervisor.stop();
      await launcher.stopAll();
      await scraper.stop();
      await retention.stop();
      await rollups.stop();
      await backups.scheduler.stop();
      await leadership.close();
      await alertLeadership.close();
      await cluster.close();
      await bus.close();
      await alerting.stop();
      await live.close();
      wss.close();
      await serverClosed;
      clearTimeout(cutOff);
      // The last requests' heartbeats (their after-store work runs on the turn after the reply).
      await new Promise((resolve) => setImmediate(resolve));
      await heartbeats.flush();
    },
  };
}

/**
 * How often a replica writes its workers' heartbeats (run_workers.last_seen_at). Generators send
 * windows every second, so this adds at most half a second to a heartbeat's age, well within the
 * seconds HUB_WORKER_TIMEOUT_SECONDS allows (5 in the tests); one per group commit was about 100
 * statements a second at 20,000 windows/s.
 */
const HEARTBEAT_INTERVAL_MS = 500;
/** How often a replica tells the others which windows it stored (their live charts move per second). */
const WINDOW_NOTICE_INTERVAL_MS = 250;

import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  unique,
  uuid,
} from "drizzle-orm/pg-core";
import { DEFAULT_PROJECT_ID } from "../../core/api/projects.ts";
import type { CauseCounts } from "../../core/error-causes.ts";

/** The hub's tables live in their own Postgres schema, apart from the shop's. */
export const hub = pgSchema("hub");

export const roles = ["viewer", "engineer", "ops", "admin"] as const;
export const roleEnum = hub.enum("role", roles);

export const users = hub.table("users", {
  id: uuid("id").primaryKey().default(sql`gen_random_uuid()`),
  email: text("email").notNull().unique(),
  role: roleEnum("role").notNull().default("viewer"),
  /** After this instant the user can no longer log in or use a session. */
  expiresAt: timestamp("expires_at", { withTimezone: true }),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
export type User = typeof users.$inferSelect;

/**
 * A project: one team's (or one client shop's) runs, probes, alerting and agent tokens, invisible
 * to members of other projects. The "default" project (DEFAULT_PROJECT_ID) is created by the
 * migration that introduced projects and holds everything from before.
 */
export const projects = hub.table("projects", {
  id: uuid().primaryKey().default(sql`gen_random_uuid()`),
  slug: text().notNull().unique(),
  name: text().notNull(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
export type ProjectRow = typeof projects.$inferSelect;

/** A user's role in one project (viewer < engineer < ops < admin); no row means not a member. */
export const projectMembers = hub.table(
  "project_members",
  {
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    projectId: uuid()
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    role: roleEnum().notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.projectId] }), index().on(t.projectId)],
);

/** The owning project of a row; rows from before projects belong to the default project. */
export const projectColumn = () => uuid().notNull().default(DEFAULT_PROJECT_ID);

/** Epoch milliseconds or seconds as a JS number (safe far beyond any date we store). */
const epoch = (name: string) => bigint(name, { mode: "number" });

/** The totals every window row carries, per second or rolled up per minute (fresh builders per table). */
const windowTotals = () => ({
  count: integer().notNull(),
  errConnect: integer().notNull(),
  errTimeout: integer().notNull(),
  errHttp4xx: integer().notNull(),
  errHttp5xx: integer().notNull(),
  errAssertion: integer().notNull(),
  bytes: epoch("bytes").notNull(),
  /** Failed requests by cause, `{cause: {count, message?}}` (core/error-causes.ts); null in rows from before causes. */
  causes: jsonb().$type<CauseCounts>(),
  /** Failed requests' latency histogram (µs, base64 HDR V2, compressed or not); null when none failed. */
  failedLatency: text(),
});

/**
 * One second of one step from one worker. The primary key is the idempotency key of
 * core/window.ts: a replayed window replaces its row, never adds to it.
 */
export const windows = hub.table(
  "windows",
  {
    projectId: projectColumn(),
    runId: text().notNull(),
    step: text().notNull(),
    worker: text().notNull(),
    /** Start of the second, Unix epoch seconds. */
    second: epoch("second").notNull(),
    ...windowTotals(),
    targetRate: doublePrecision().notNull(),
    achievedRate: doublePrecision().notNull(),
    dropped: integer().notNull(),
    latency: text().notNull(),
    service: text(),
  },
  // No index on project_id: every read names its run (the key's first column) and no statement
  // selects windows by project alone; an index maintained per row cost ingest ~3 µs of Postgres
  // CPU per window (bench/hub.ts at 20,000 windows/s).
  (t) => [primaryKey({ columns: [t.runId, t.step, t.worker, t.second] }), index().on(t.second)],
);
export type WindowRow = typeof windows.$inferSelect;

/**
 * Per-minute roll-ups of windows past raw retention, merged across workers: counts summed,
 * histograms merged, rates averaged over the seconds present.
 */
export const windowMinutes = hub.table(
  "window_minutes",
  {
    projectId: projectColumn(),
    runId: text().notNull(),
    step: text().notNull(),
    /** Start of the minute, Unix epoch seconds. */
    minute: epoch("minute").notNull(),
    /** How many per-second rows (seconds × workers) went into this minute. */
    seconds: integer().notNull(),
    ...windowTotals(),
    /** Sums of the per-second rates; divide by 60 for the minute's mean rate across workers. */
    targetRateSum: doublePrecision().notNull(),
    achievedRateSum: doublePrecision().notNull(),
    dropped: integer().notNull(),
    latency: text().notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.step, t.minute] }), index().on(t.projectId)],
);
export type WindowMinuteRow = typeof windowMinutes.$inferSelect;

/**
 * Merged latency histograms and causes of a run's raw windows, per step and minute (span 60) or
 * hour (span 3600), kept so reads of a long run after a restart do not decode every window again
 * (server/runs/merge-store.ts). Written as minutes settle and on read; a merge is used only while
 * its stretch still has the raw rows and count it was merged from, so a late window makes it stale.
 */
export const windowMerges = hub.table(
  "window_merges",
  {
    projectId: projectColumn(),
    runId: text().notNull(),
    step: text().notNull(),
    span: integer().notNull(),
    /** Start of the minute or hour, Unix epoch seconds. */
    start: epoch("start").notNull(),
    /** Raw rows and their summed count when merged. */
    rows: integer().notNull(),
    count: epoch("count").notNull(),
    latency: text().notNull(),
    failedLatency: text(),
    causes: jsonb().$type<CauseCounts>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.step, t.span, t.start] }), index().on(t.projectId)],
);
export type WindowMergeRow = typeof windowMerges.$inferSelect;

/** One check of one probe; `id` comes from the probe, so a replayed batch inserts nothing twice. */
export const probeResults = hub.table(
  "probe_results",
  {
    projectId: projectColumn(),
    id: uuid().primaryKey(),
    probe: text().notNull(),
    kind: text().notNull(),
    region: text().notNull(),
    target: text().notNull(),
    /** Unix epoch milliseconds. */
    startedAt: epoch("started_at").notNull(),
    ok: boolean().notNull(),
    state: text().notNull(),
    status: integer(),
    message: text(),
    totalMs: doublePrecision().notNull(),
    phases: jsonb().notNull(),
    steps: jsonb(),
  },
  (t) => [index().on(t.probe, t.startedAt), index().on(t.startedAt), index().on(t.projectId, t.startedAt)],
);
export type ProbeResultRow = typeof probeResults.$inferSelect;

/** A load run: created when the hub starts one, upserted by the generator's RunReports. */
export const runs = hub.table(
  "runs",
  {
    projectId: projectColumn(),
    runId: text().primaryKey(),
    profile: text().notNull(),
    target: text().notNull(),
    status: text().notNull(),
    /** Unix epoch milliseconds. */
    startedAt: epoch("started_at").notNull(),
    endedAt: epoch("ended_at"),
    plannedSeconds: doublePrecision(),
    workers: integer().notNull().default(1),
    /** Workers of a split run that stopped early (core/worker-loss.ts); non-empty when degraded. */
    workerLosses: jsonb().notNull().default([]),
    thresholds: jsonb().notNull().default([]),
    faults: jsonb().notNull().default([]),
    verdict: text(),
    /** Who started it from the hub (email), null when a generator reported it on its own. */
    startedBy: text(),
    /** Where the hub started its workers (`local` processes, a `kubernetes` Job); null when it did not. */
    placement: text(),
    /** Unix epoch milliseconds at which a coordinated run's workers all start (their start barrier). */
    startAt: epoch("start_at"),
    /** The rate scale the hub started the run with (its workers' --rate-scale); null is 1. */
    rateScale: doublePrecision(),
    /** Advisory-lock key of the hub replica supervising the run (server/cluster/presence.ts); null when none does. */
    supervisorKey: integer(),
    /** `stop` or `abort` once someone asked, on any replica; the supervising replica acts on it. */
    stopRequest: text(),
    /**
     * The abort threshold that stopped a worker of a split run the hub closes (core/run.ts StoppedBy):
     * the first worker's, which stopped the others; null when none did.
     */
    stoppedBy: jsonb(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index().on(t.startedAt), index().on(t.projectId, t.startedAt)],
);
export type RunRow = typeof runs.$inferSelect;

/** Bearer tokens for loadgen and probes; only a SHA-256 of the token is stored. */
export const agentTokens = hub.table(
  "agent_tokens",
  {
    projectId: projectColumn(),
    id: uuid().primaryKey().default(sql`gen_random_uuid()`),
    name: text().notNull(),
    tokenHash: text().notNull().unique(),
    createdBy: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp({ withTimezone: true }),
    /** After this instant the token is refused (401); the row stays until an admin revokes it. */
    expiresAt: timestamp({ withTimezone: true }),
  },
  (t) => [index().on(t.projectId)],
);
export type AgentTokenRow = typeof agentTokens.$inferSelect;

/** Every alert event the hub pushed; `seq` orders them so a reconnecting client can resume. */
export const alertEvents = hub.table(
  "alert_events",
  {
    projectId: projectColumn(),
    seq: bigserial({ mode: "number" }).primaryKey(),
    kind: text().notNull(),
    /** Unix epoch milliseconds. */
    at: epoch("at").notNull(),
    fingerprint: text().notNull(),
    alert: jsonb().notNull(),
  },
  (t) => [index().on(t.at), index().on(t.projectId, t.seq)],
);
export type AlertEventRow = typeof alertEvents.$inferSelect;

/**
 * Every fault switch flipped through the hub (by hand, not by a run's timeline, which the run
 * reports itself), so charts can mark it at the second it happened.
 */
export const faultChanges = hub.table(
  "fault_changes",
  {
    projectId: projectColumn(),
    id: bigserial({ mode: "number" }).primaryKey(),
    /** Unix epoch milliseconds. */
    at: epoch("at").notNull(),
    /** The switch's name, or "all" when every switch was cleared at once. */
    fault: text().notNull(),
    /** "set" or "clear". */
    action: text().notNull(),
    /** Who flipped it (email or agent name). */
    by: text().notNull(),
    /** The parameters it was switched on with, as `key=value` text. */
    detail: text(),
    /** When a "set" turns itself off at the shop (its expiresAt), epoch ms; null for never. */
    expiresAt: epoch("expires_at"),
  },
  (t) => [index().on(t.at), index().on(t.projectId, t.at)],
);
export type FaultChangeRow = typeof faultChanges.$inferSelect;

/**
 * Who changed which rights, and which expired rights were refused (server/audit): append-only,
 * read newest first by `id`.
 */
export const auditLog = hub.table(
  "audit_log",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    at: timestamp({ withTimezone: true }).notNull(),
    /** Who did it: an email, an agent name, or "hub" for the hub's own refusals. */
    actor: text().notNull(),
    /** What happened, e.g. "user.role_changed", "agent_token.refused_expired". */
    action: text().notNull(),
    /** What it happened to: an email or an agent token's name and id. */
    target: text().notNull(),
    detail: jsonb().$type<Record<string, unknown>>(),
  },
  (t) => [index().on(t.at)],
);
export type AuditLogRow = typeof auditLog.$inferSelect;

/** Dashboard login sessions; only a SHA-256 of the cookie token is stored. */
export const sessions = hub.table(
  "sessions",
  {
    tokenHash: text().primaryKey(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** Sent back in x-csrf-token on cookie-authenticated mutating requests. */
    csrfToken: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull(),
    lastSeenAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [index().on(t.userId)],
);
export type SessionRow = typeof sessions.$inferSelect;

/** Pending email login codes (core/otp): the code itself is never stored, only its HMAC. */
export const otpChallenges = hub.table(
  "otp_challenges",
  {
    id: uuid().primaryKey(),
    subject: text().notNull(),
    codeHash: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    attempts: integer().notNull(),
    maxAttempts: integer().notNull(),
    consumedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index().on(t.subject, t.createdAt)],
);

/**
 * A /metrics URL one project has the hub scrape (POST /scrape/targets); the targets of
 * HUB_SCRAPE_TARGETS are the default project's and are not stored here.
 */
export const scrapeTargets = hub.table(
  "scrape_targets",
  {
    projectId: projectColumn(),
    id: uuid().primaryKey().default(sql`gen_random_uuid()`),
    url: text().notNull(),
    createdBy: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique().on(t.projectId, t.url)],
);
export type ScrapeTargetRow = typeof scrapeTargets.$inferSelect;

/** Chosen series scraped from a target's /metrics (see server/scraper/extract.ts), kept with the target's project. */
export const scrapedSamples = hub.table(
  "scraped_samples",
  {
    projectId: projectColumn(),
    target: text().notNull(),
    series: text().notNull(),
    /** Unix epoch milliseconds of the scrape. */
    at: epoch("at").notNull(),
    value: doublePrecision().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.target, t.series, t.at] }),
    index().on(t.at),
    index().on(t.projectId, t.at),
  ],
);

/**
 * Probe definitions kept by the hub (ops edit them in the dashboard or over the API); every
 * probes process polls them. `definition` is a validated core Probe; a paused one is kept but
 * not served.
 */
export const probeDefinitions = hub.table(
  "probe_definitions",
  {
    projectId: projectColumn(),
    /** Unique within its project. */
    name: text().notNull(),
    definition: jsonb().notNull(),
    paused: boolean().notNull().default(false),
    updatedBy: text(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.name] })],
);
export type ProbeDefinitionRow = typeof probeDefinitions.$inferSelect;

/**
 * Probes deleted from the hub: their stored results stay (history, reports) but the probe list
 * leaves out a probe whose latest result is from before it was deleted. Adding a probe of the
 * same name again removes its row.
 */
export const retiredProbes = hub.table(
  "retired_probes",
  {
    projectId: projectColumn(),
    name: text().notNull(),
    retiredAt: epoch("retired_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.name] })],
);

/**
 * Fixed-window login limit counters shared by every hub replica (server/auth/login-limits.ts):
 * one row per (limit, key), taken by one conditional UPSERT per attempt. `keyHash` is a
 * SHA-256 of the address or account-and-address, so the table holds no emails or addresses.
 */
export const loginLimits = hub.table(
  "login_limits",
  {
    limitName: text().notNull(),
    keyHash: text().notNull(),
    windowStartedAt: timestamp({ withTimezone: true }).notNull(),
    /** Events counted in the window; capped at the limit + 1 (anything above means refused). */
    count: integer().notNull(),
  },
  (t) => [primaryKey({ columns: [t.limitName, t.keyHash] }), index().on(t.windowStartedAt)],
);

/**
 * One worker of a hub-coordinated run: its process (local runs), and when the hub last heard
 * from it (a window stored on any replica), so a silent worker is noticed.
 */
export const runWorkers = hub.table(
  "run_workers",
  {
    runId: text().notNull(),
    /** The worker name its windows carry (`w<index>`). */
    worker: text().notNull(),
    index: integer().notNull(),
    /** Host name and pid of a local worker process; null for a Kubernetes pod. */
    host: text(),
    pid: integer(),
    /** `starting`, `running`, `exited` (ended on its own), `lost` (silent or killed before its end). */
    state: text().notNull(),
    /** Unix epoch milliseconds of the last window stored from it (its heartbeat). */
    lastSeenAt: epoch("last_seen_at"),
    /** The latest second (epoch seconds) its windows covered: where its share of the schedule stopped. */
    lastSecond: epoch("last_second"),
    exitCode: integer(),
    /** Why it was lost, in words ("exited on SIGKILL", "no window for 10 s"). */
    lostReason: text(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.worker] })],
);
export type RunWorkerRow = typeof runWorkers.$inferSelect;

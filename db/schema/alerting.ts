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
  unique,
  uuid,
} from "drizzle-orm/pg-core";
import { DEFAULT_PROJECT_ID } from "../../core/api/projects.ts";

/** Alert rules, alert state, silences, channels and the delivery log: the hub's alerting domain. */
export const alerting = pgSchema("alerting");

/** Unix epoch milliseconds as a JS number. */
const epoch = (name: string) => bigint(name, { mode: "number" });

/** The owning project (hub.projects); rows from before projects belong to the default project. */
const projectColumn = () => uuid().notNull().default(DEFAULT_PROJECT_ID);

/** Alert rules; `spec` is a core/rule.ts RuleSpec, validated on the way in and out. */
export const rules = alerting.table(
  "rules",
  {
    projectId: projectColumn(),
    id: uuid().primaryKey().default(sql`gen_random_uuid()`),
    /** Unique within its project. */
    name: text().notNull(),
    spec: jsonb().notNull(),
    /** Shipped with Peakwatch; seeded once, then owned by the users (edits are kept). */
    builtin: boolean().notNull().default(false),
    updatedBy: text(),
    createdAt: epoch("created_at").notNull(),
    updatedAt: epoch("updated_at").notNull(),
  },
  (t) => [unique().on(t.projectId, t.name)],
);
export type RuleRow = typeof rules.$inferSelect;

/** The current alert instances (pending, firing, recently resolved), one row per fingerprint. */
export const alerts = alerting.table(
  "alerts",
  {
    projectId: projectColumn(),
    fingerprint: text().primaryKey(),
    ruleId: uuid().notNull(),
    state: text().notNull(),
    /** The whole tracked alert (server/alerting/evaluate.ts TrackedAlert). */
    alert: jsonb().notNull(),
    updatedAt: epoch("updated_at").notNull(),
  },
  (t) => [index().on(t.ruleId), index().on(t.projectId)],
);
export type AlertRow = typeof alerts.$inferSelect;

/** Every lifecycle transition and acknowledgement, for history and the manager summary. */
export const alertHistory = alerting.table(
  "alert_history",
  {
    projectId: projectColumn(),
    id: bigserial({ mode: "number" }).primaryKey(),
    fingerprint: text().notNull(),
    rule: text().notNull(),
    kind: text().notNull(),
    severity: text().notNull(),
    at: epoch("at").notNull(),
    labels: jsonb().notNull(),
    value: doublePrecision(),
    /** Set on `resolved`: when this activation fired (for time to resolve). */
    firedAt: epoch("fired_at"),
    /** Who acknowledged (on `acknowledged`). */
    actor: text(),
    /** The alert as it was at this event (core/alert.ts Alert). */
    alert: jsonb(),
  },
  (t) => [index().on(t.at), index().on(t.fingerprint, t.at), index().on(t.projectId, t.at)],
);
export type AlertHistoryRow = typeof alertHistory.$inferSelect;

export const silences = alerting.table(
  "silences",
  {
    projectId: projectColumn(),
    id: uuid().primaryKey().default(sql`gen_random_uuid()`),
    matchers: jsonb().notNull(),
    startsAt: epoch("starts_at").notNull(),
    endsAt: epoch("ends_at").notNull(),
    createdBy: text().notNull(),
    comment: text().notNull(),
    createdAt: epoch("created_at").notNull(),
  },
  (t) => [index().on(t.endsAt), index().on(t.projectId)],
);
export type SilenceRow = typeof silences.$inferSelect;

/**
 * Notification channels. `settings` holds what is safe to show; `secret` is an envelope-encrypted
 * JSON blob (SMTP password, webhook auth headers) bound to this table, column and row.
 */
export const channels = alerting.table(
  "channels",
  {
    projectId: projectColumn(),
    id: uuid().primaryKey().default(sql`gen_random_uuid()`),
    /** Unique within its project. */
    name: text().notNull(),
    kind: text().notNull(),
    settings: jsonb().notNull(),
    secret: text(),
    /** A disabled channel is kept (with its secrets) but gets no notifications. */
    enabled: boolean().notNull().default(true),
    /** Where it was declared: "api", "env" or "config" (the latter two are re-applied at start-up). */
    source: text().notNull().default("api"),
    createdAt: epoch("created_at").notNull(),
  },
  (t) => [unique().on(t.projectId, t.name)],
);
export type ChannelRow = typeof channels.$inferSelect;

/**
 * A project's declared routing tree and inhibition rules (one row per project; none: the default
 * tree of its channels): which of its alerts go to which of its channels, with grouping and timing.
 */
export const routing = alerting.table("routing", {
  projectId: projectColumn().primaryKey(),
  tree: jsonb().notNull(),
  source: text().notNull().default("api"),
  updatedAt: epoch("updated_at").notNull(),
});

/** The delivery log: one row per notification per channel, updated as attempts go. */
export const deliveries = alerting.table(
  "deliveries",
  {
    projectId: projectColumn(),
    id: uuid().primaryKey(),
    channel: text().notNull(),
    channelKind: text().notNull(),
    groupKey: text().notNull(),
    /** firing, resolved or reminder. */
    kind: text().notNull(),
    status: text().notNull(),
    attempts: integer().notNull().default(0),
    lastError: text(),
    summary: text().notNull(),
    createdAt: epoch("created_at").notNull(),
    updatedAt: epoch("updated_at").notNull(),
  },
  (t) => [index().on(t.createdAt), index().on(t.projectId)],
);
export type DeliveryRow = typeof deliveries.$inferSelect;

/**
 * The notification log (Alertmanager's nflog plus its dispatcher's group state): per group,
 * what its channel was last told and when. Written at each flush, read when a hub starts or
 * takes over as leader, so a restart or failover neither repeats nor forgets a notice.
 */
export const notificationLog = alerting.table("notification_log", {
  projectId: projectColumn(),
  groupKey: text().primaryKey(),
  channel: text().notNull(),
  /** The resolved route (server/notify/routing.ts ResolvedRoute) and the group's labels. */
  route: jsonb().notNull(),
  labels: jsonb().notNull(),
  startedAt: epoch("started_at"),
  lastFlushAt: epoch("last_flush_at"),
  /** Fingerprints announced as firing in the last flush. */
  sentFiring: jsonb().notNull(),
  updatedAt: epoch("updated_at").notNull(),
});
export type NotificationLogRow = typeof notificationLog.$inferSelect;

/**
 * Notices decided but not yet delivered (an outbox): written in the same transaction as the
 * group state of the flush that decided them, deleted once delivered (or failed for good). A hub
 * that starts or takes over as leader re-sends the rows it finds here, so a crash between
 * deciding and sending loses nothing; `id` is the receivers' idempotency key.
 */
export const pendingNotices = alerting.table(
  "pending_notices",
  {
    /** The project of the group that decided it: it is re-sent to that project's channel only. */
    projectId: projectColumn(),
    id: uuid().primaryKey(),
    channel: text().notNull(),
    groupKey: text().notNull(),
    /** firing, resolved or reminder. */
    kind: text().notNull(),
    summary: text().notNull(),
    /** The whole notification (server/notify/notification.ts Notification), sent again as it was. */
    notification: jsonb().notNull(),
    createdAt: epoch("created_at").notNull(),
  },
  (t) => [index().on(t.createdAt), index().on(t.projectId)],
);
export type PendingNoticeRow = typeof pendingNotices.$inferSelect;

/**
 * What the leader's last evaluation measured per rule (burn rates for the Summary's objectives),
 * so every replica's Summary reads the same figures. Rewritten when they change, and at least
 * every 30 s while they hold.
 */
export const ruleMeasurements = alerting.table("rule_measurements", {
  /** The rule's id (names are unique per project only; rows from before hold names and go stale). */
  rule: text().primaryKey(),
  /** number | null per value: null is "not enough data". */
  values: jsonb().notNull(),
  at: epoch("at").notNull(),
});

/**
 * Acknowledgements, written by whichever replica the user reached; the leader applies them to
 * the activation they name (fingerprint + activeAt), so a new activation starts unacknowledged.
 */
export const acknowledgements = alerting.table(
  "acknowledgements",
  {
    projectId: projectColumn(),
    fingerprint: text().notNull(),
    activeAt: epoch("active_at").notNull(),
    by: text().notNull(),
    at: epoch("at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.fingerprint, t.activeAt] }), index().on(t.projectId, t.at)],
);

/** Mail captured in embedded mode (no SMTP_URL): shown to its channel's project instead of being sent. */
export const capturedEmails = alerting.table(
  "captured_emails",
  {
    projectId: projectColumn(),
    id: bigserial({ mode: "number" }).primaryKey(),
    to: text().notNull(),
    subject: text().notNull(),
    text: text().notNull(),
    at: epoch("at").notNull(),
  },
  (t) => [index().on(t.at), index().on(t.projectId, t.at)],
);

import { z } from "zod";
import { AlertSchema } from "../core/alert.ts";
import { AgentTokenSchema, AuditPageSchema } from "../core/api/audit.ts";
import { BackupListSchema } from "../core/api/backups.ts";
import { HubConfigViewSchema } from "../core/api/hub-config.ts";
import { IngestAnswerSchema } from "../core/api/ingest.ts";
import { CapacityMeasurementSchema, ReadinessViewSchema } from "../core/api/readiness.ts";
import {
  ProfileListSchema,
  RunCompareSchema,
  RunDetailSchema,
  RunListSchema,
  RunReportJsonSchema,
  RunStartedSchema,
  RunWorkerListSchema,
  SeriesSchema,
} from "../core/api/runs.ts";
import { ScrapeTargetInputSchema } from "../core/api/scrape.ts";
import { SummarySchema } from "../core/api/summary.ts";
import { FaultsResponse } from "../core/faults.ts";
import { ClientMessageSchema, ServerMessageSchema } from "../core/live.ts";
import { ProbeResultBatchSchema, ProbeResultSchema } from "../core/probe-result.ts";
import { RuleSpecSchema } from "../core/rule.ts";
import { RunReportSchema } from "../core/run.ts";
import { SilenceInputSchema } from "../core/silence.ts";
import { RunVerdictSchema } from "../core/verdict.ts";
import { WindowBatchSchema } from "../core/window.ts";
import type { Role } from "./auth/roles.ts";

type Access = Role | "agent" | "public";

interface Operation {
  method: "get" | "post" | "put" | "patch" | "delete";
  path: string;
  summary: string;
  access: Access;
  body?: z.ZodType;
  query?: Record<string, string>;
  response?: z.ZodType;
  /** Served at the root, not under /api/v1. */
  root?: true;
  /** Served outside the Hono app (the WebSocket upgrade): listed although no route registers it. */
  outsideApp?: true;
}

const json = (schema: z.ZodType) => z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });

/**
 * What each hub route does and who may call it. The document lists the routes the app really
 * registered (see openApiDocument); one missing here shows up marked `x-undocumented`, and a
 * test fails on it.
 */
const operations: Operation[] = [
  {
    method: "get",
    path: "/healthz",
    summary: 'Liveness: {status: "ok"} (outside /api/v1)',
    access: "public",
    root: true,
  },
  {
    method: "get",
    path: "/metrics",
    summary: "The hub's Prometheus metrics (outside /api/v1)",
    access: "public",
    root: true,
  },
  { method: "get", path: "/openapi.json", summary: "This document", access: "public" },
  {
    method: "post",
    path: "/auth/otp/request",
    summary: "Mail a login code ({email}); same answer for unknown addresses",
    access: "public",
  },
  {
    method: "post",
    path: "/auth/otp/verify",
    summary: "Exchange {challengeId, code} for the pw_session cookie",
    access: "public",
  },
  { method: "post", path: "/auth/logout", summary: "End the session", access: "public" },
  {
    method: "get",
    path: "/auth/me",
    summary: "The logged-in user: {email, role, csrfToken}",
    access: "viewer",
  },
  {
    method: "post",
    path: "/ingest/windows",
    summary:
      "Store per-second windows (idempotent upsert); 400 names windows[i].field, nothing stored. The answer's `stop` names the batch's runs asked to stop",
    access: "agent",
    body: WindowBatchSchema,
    response: IngestAnswerSchema,
  },
  {
    method: "post",
    path: "/ingest/probe-results",
    summary: "Store probe results (ids already stored are ignored)",
    access: "agent",
    body: ProbeResultBatchSchema,
  },
  {
    method: "get",
    path: "/ingest/token",
    summary: "Checks the agent token: 200 with the project it reports to, 401 when refused",
    access: "agent",
  },
  {
    method: "post",
    path: "/ingest/runs",
    summary: "Upsert a run report by runId",
    access: "agent",
    body: RunReportSchema,
  },
  {
    method: "get",
    path: "/runs",
    summary: "Runs, newest first",
    access: "viewer",
    query: { limit: "1-500 (50)", status: "run status" },
    response: RunListSchema,
  },
  {
    method: "post",
    path: "/runs",
    summary:
      "Start a run: {profile, target? (default: the hub's shop), rateScale?, durationScale?, workers? (1 | N | auto: the hub machine's cores − 1), placement? (local | kubernetes)}; target must be allowlisted. N workers split the schedule and start together; kubernetes writes and returns an Indexed Job manifest",
    access: "ops",
    response: RunStartedSchema,
  },
  {
    method: "post",
    path: "/runs/{id}/stop",
    summary:
      "Stop a run the hub started, through any replica: its supervising replica sends SIGTERM to its workers, which flush and report",
    access: "ops",
    response: RunStartedSchema,
  },
  {
    method: "post",
    path: "/runs/{id}/abort",
    summary: "Abort a run the hub started, through any replica: its workers are killed (SIGKILL) at once",
    access: "ops",
    response: RunStartedSchema,
  },
  {
    method: "get",
    path: "/runs/{id}/workers",
    summary: "The workers of a hub-coordinated run: state, heartbeat (last window), exit code, why lost",
    access: "viewer",
    response: RunWorkerListSchema,
  },
  {
    method: "get",
    path: "/runs/{id}",
    summary:
      "{run, steps: {[step]: WindowSummary}, requests}: summaries merged from histograms, errors by cause",
    access: "viewer",
    response: RunDetailSchema,
  },
  {
    method: "get",
    path: "/runs/{id}/series",
    summary: "{points: [[epochSeconds, value]], resolution}, downsampled by merging histograms",
    access: "viewer",
    response: SeriesSchema,
    query: {
      step: "step name (default: all requests, or journey for arrival stats)",
      stat: "p50|p95|p99|rate|errors|errorRate|target|achieved|dropped",
      from: "epoch s",
      to: "epoch s",
      resolution: "bucket seconds",
    },
  },
  {
    method: "get",
    path: "/runs/compare",
    summary: "Two runs side by side with per-step change",
    access: "viewer",
    response: RunCompareSchema,
    query: { a: "run id", b: "run id" },
  },
  {
    method: "get",
    path: "/runs/{id}/report.json",
    summary: "Run report as JSON, with the combined verdict (thresholds and the alerts that fired)",
    access: "viewer",
    response: RunReportJsonSchema,
  },
  {
    method: "get",
    path: "/runs/{id}/report.xml",
    summary:
      "Thresholds and the alerts that fired during the run as JUnit XML (a critical alert is an error)",
    access: "viewer",
  },
  {
    method: "get",
    path: "/runs/{id}/report.html",
    summary: "Self-contained HTML report: the renderer the generator's report.html uses (core/report)",
    access: "viewer",
  },
  {
    method: "get",
    path: "/runs/{id}/verdict",
    summary: "The run's verdict: thresholds combined with the alerts that fired during it",
    access: "viewer",
    response: RunVerdictSchema,
  },
  {
    method: "get",
    path: "/profiles",
    summary: "Built-in load profiles",
    access: "viewer",
    response: ProfileListSchema,
  },
  {
    method: "get",
    path: "/probes/config",
    summary: "The probe file the probes processes run (hub-defined probes merged in)",
    access: "agent",
  },
  { method: "get", path: "/probes/definitions", summary: "Probes defined through the hub", access: "viewer" },
  {
    method: "post",
    path: "/probes/definitions",
    summary:
      "Define a probe (core/probe.ts); its hosts must be loopback, the shop or PEAKWATCH_ALLOWED_TARGETS",
    access: "ops",
  },
  {
    method: "patch",
    path: "/probes/definitions/{name}",
    summary: "Change or pause a hub-defined probe",
    access: "ops",
  },
  {
    method: "delete",
    path: "/probes/definitions/{name}",
    summary: "Remove a hub-defined probe",
    access: "ops",
  },
  {
    method: "get",
    path: "/config",
    summary: "The hub's own settings the dashboard follows (shop URL, allowed targets)",
    access: "viewer",
    response: HubConfigViewSchema,
  },
  {
    method: "get",
    path: "/probes",
    summary: "Each probe per region with its state and last result",
    access: "viewer",
  },
  {
    method: "get",
    path: "/probes/{name}/results",
    summary: "A probe's results, newest first",
    access: "viewer",
    query: {
      region: "region",
      from: "epoch ms",
      to: "epoch ms",
      limit: "1-1000 (100)",
      ok: "true or false: only passed or failed checks",
    },
    response: z.object({ results: z.array(ProbeResultSchema) }),
  },
  {
    method: "get",
    path: "/probes/{name}/series",
    summary: "Downsampled history: success ratio, checks, p50/p95 total ms per bucket",
    access: "viewer",
    query: { resolution: "bucket seconds (60)", from: "epoch ms", to: "epoch ms", region: "region" },
  },
  {
    method: "get",
    path: "/scrape/targets",
    summary: "The project's scrape targets: up, last error, latest kept values",
    access: "viewer",
  },
  {
    method: "post",
    path: "/scrape/targets",
    summary: "Scrape a /metrics URL {url} into the project (allowlisted hosts; audited)",
    access: "ops",
    body: ScrapeTargetInputSchema,
  },
  {
    method: "delete",
    path: "/scrape/targets/{id}",
    summary: "Stop scraping one of the project's targets (audited)",
    access: "ops",
  },
  {
    method: "get",
    path: "/scrape/series",
    summary: "A kept shop series over time, per target",
    access: "viewer",
    query: {
      series:
        "event_loop_lag_seconds|in_flight|cpu_cores|memory_rss_bytes|heap_used_bytes|request_rate|error_rate",
      target: "URL",
      from: "epoch ms",
      to: "epoch ms",
      resolution: "bucket seconds",
    },
  },
  {
    method: "get",
    path: "/faults",
    summary: "The shop's fault switches (proxied)",
    access: "viewer",
    response: FaultsResponse,
  },
  {
    method: "get",
    path: "/faults/products",
    summary: "Products of the shop to pick for failing_product and stock_out ({id, name})",
    access: "viewer",
  },
  {
    method: "get",
    path: "/faults/changes",
    summary:
      'Fault switches of the shared shop flipped through the hub, oldest first (chart markers); another project\'s change comes with by: "another project" and detail: null; with activeAt, also active: the switches on just before then, each as its last set (what a run started under)',
    access: "viewer",
    query: { from: "epoch ms", to: "epoch ms", limit: "max rows", activeAt: "epoch ms" },
  },
  {
    method: "put",
    path: "/faults/{name}",
    summary:
      "Set a fault switch on the shop: flat parameters {enabled?, expiresInSeconds?, ...params} or the shape GET answers {enabled?, expiresAt?, params} (core/faults.ts)",
    access: "ops",
  },
  { method: "delete", path: "/faults/{name}", summary: "Clear a fault switch", access: "ops" },
  { method: "delete", path: "/faults", summary: "Clear every fault switch", access: "ops" },
  { method: "get", path: "/users", summary: "Hub users", access: "admin" },
  { method: "post", path: "/users", summary: "Add a user {email, role, expiresAt?}", access: "admin" },
  {
    method: "patch",
    path: "/users/{id}",
    summary: "Change role or expiry (ends the user's sessions)",
    access: "admin",
  },
  { method: "delete", path: "/users/{id}", summary: "Delete a user", access: "admin" },
  {
    method: "get",
    path: "/agent-tokens",
    summary: "Agent tokens (never the token itself); expired ones stay listed, marked expired",
    access: "admin",
    response: z.object({ tokens: z.array(AgentTokenSchema) }),
  },
  {
    method: "post",
    path: "/agent-tokens",
    summary: "Create an agent token {name, expiresAt?}; the token is shown once (audited)",
    access: "admin",
  },
  {
    method: "delete",
    path: "/agent-tokens/{id}",
    summary: "Revoke an agent token (audited)",
    access: "admin",
  },
  {
    method: "get",
    path: "/projects",
    summary: "Projects the caller is a member of, with their role in each (instance admins: all)",
    access: "viewer",
  },
  {
    method: "post",
    path: "/projects",
    summary: "Create a project {slug, name} (instance admin; audited)",
    access: "admin",
  },
  {
    method: "get",
    path: "/projects/{slug}/members",
    summary: "Members of a project and their roles (instance admin or the project's admin)",
    access: "admin",
  },
  {
    method: "put",
    path: "/projects/{slug}/members",
    summary:
      "Add a member or change their role {email, role} (instance admin or the project's admin; audited)",
    access: "admin",
  },
  {
    method: "delete",
    path: "/projects/{slug}/members/{userId}",
    summary: "Remove a member from a project (instance admin or the project's admin; audited)",
    access: "admin",
  },
  {
    method: "get",
    path: "/audit",
    summary: "Audit log of rights changes and expired-right refusals, newest first",
    access: "admin",
    query: { limit: "1-500 (100)", before: "entry id: older entries only (the previous page's next)" },
    response: AuditPageSchema,
  },
  {
    method: "get",
    path: "/live",
    summary: "WebSocket upgrade; see x-live-messages for the messages",
    access: "viewer",
    outsideApp: true,
  },
  {
    method: "get",
    path: "/alerts",
    summary: "Alerts now (pending, firing, recently resolved)",
    access: "viewer",
    query: { state: "alert state" },
    response: z.object({ alerts: z.array(AlertSchema) }),
  },
  { method: "get", path: "/alerts/history", summary: "Alert events, newest first", access: "viewer" },
  {
    method: "post",
    path: "/alerts/{fingerprint}/ack",
    summary: "Acknowledge a firing alert without silencing it",
    access: "engineer",
  },
  { method: "get", path: "/rules", summary: "Alert rules", access: "viewer" },
  { method: "get", path: "/rules/{id}", summary: "One alert rule", access: "viewer" },
  { method: "post", path: "/rules", summary: "Add an alert rule", access: "engineer", body: RuleSpecSchema },
  {
    method: "put",
    path: "/rules/{id}",
    summary: "Replace an alert rule",
    access: "engineer",
    body: RuleSpecSchema,
  },
  { method: "delete", path: "/rules/{id}", summary: "Delete an alert rule", access: "engineer" },
  { method: "get", path: "/silences", summary: "Silences with their state", access: "viewer" },
  {
    method: "post",
    path: "/silences",
    summary: "Silence alerts matching label matchers until an expiry",
    access: "engineer",
    body: SilenceInputSchema,
  },
  { method: "delete", path: "/silences/{id}", summary: "Expire a silence now", access: "engineer" },
  {
    method: "get",
    path: "/channels",
    summary: "Notification channels (secrets never leave the hub)",
    access: "viewer",
  },
  { method: "post", path: "/channels", summary: "Add a notification channel", access: "admin" },
  { method: "put", path: "/channels/{id}", summary: "Change a notification channel", access: "admin" },
  { method: "post", path: "/channels/{id}/test", summary: "Send a test notification", access: "admin" },
  { method: "delete", path: "/channels/{id}", summary: "Delete a notification channel", access: "admin" },
  {
    method: "get",
    path: "/routes",
    summary: "The project's notification routing tree and inhibitions",
    access: "admin",
  },
  {
    method: "put",
    path: "/routes",
    summary: "Replace the project's routing tree (names only its own channels; audited)",
    access: "admin",
  },
  {
    method: "delete",
    path: "/routes",
    summary: "Back to the project's default routing (audited)",
    access: "admin",
  },
  { method: "get", path: "/deliveries", summary: "Notification delivery log", access: "engineer" },
  {
    method: "get",
    path: "/deliveries/captured-mail",
    summary: "Mail the hub captured instead of sending (test setups)",
    access: "admin",
  },
  {
    method: "get",
    path: "/summary",
    summary: "The manager summary: firing now, objectives, incidents, latest load test",
    access: "viewer",
    query: { profile: "profile whose latest run to show" },
    response: SummarySchema,
  },
  {
    method: "get",
    path: "/backups",
    summary: "Backup schedule, latest outcome and archives",
    access: "admin",
    response: BackupListSchema,
  },
  { method: "post", path: "/backups", summary: "Back up now", access: "admin" },
  {
    method: "post",
    path: "/readiness/measurements",
    summary: "Store a capacity measurement (peakwatch capacity)",
    access: "agent",
    body: CapacityMeasurementSchema,
  },
  {
    method: "get",
    path: "/readiness",
    summary: "Peak readiness: the latest capacity verdict per target and its history",
    access: "viewer",
    response: ReadinessViewSchema,
  },
  { method: "get", path: "/backups/{name}", summary: "Download one backup archive", access: "admin" },
];

/** A Hono route path as an OpenAPI path: `/runs/:id` → `/runs/{id}` (patterns dropped). */
export function openApiPath(honoPath: string): string {
  return honoPath.replace(/:(\w+)(\{[^}]*\})?/g, "{$1}");
}

/** Routes that are not API operations: the dashboard's static files and SPA fallback. */
const notOperations = (path: string) => path === "/*" || path.startsWith("/assets");

const API = "/api/v1";

function operationObject(op: Operation): Record<string, unknown> {
  const params = [
    ...[...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema: { type: "string" },
    })),
    ...Object.entries(op.query ?? {}).map(([name, description]) => ({
      name,
      in: "query",
      description,
      schema: { type: "string" },
    })),
  ];
  return {
    summary: op.summary,
    description: `Access: ${op.access === "public" ? "anyone" : op.access === "agent" ? "agent token" : `${op.access} role or higher`}. Errors are {code, message, requestId}.`,
    security: security[op.access],
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(op.body
      ? { requestBody: { required: true, content: { "application/json": { schema: json(op.body) } } } }
      : {}),
    responses: {
      "200": {
        description: "OK",
        ...(op.response ? { content: { "application/json": { schema: json(op.response) } } } : {}),
      },
      "400": { description: "Invalid input; the message names the field" },
      "401": { description: "No session or token" },
      "403": { description: "Role too low, wrong kind of caller, or missing x-csrf-token" },
    },
  };
}

const security: Record<Access, Array<Record<string, string[]>>> = {
  public: [],
  agent: [{ agentToken: [] }],
  viewer: [{ session: [] }, { agentToken: [] }],
  engineer: [{ session: [] }],
  ops: [{ session: [] }],
  admin: [{ session: [] }],
};

/**
 * The hub's OpenAPI 3.1 document (GET /api/v1/openapi.json), generated from the routes the app
 * registered: every route appears, with its description, schemas and access from `operations`,
 * or marked `x-undocumented` when it has none.
 */
export function openApiDocument(
  registered: ReadonlyArray<{ method: string; path: string }>,
): Record<string, unknown> {
  const fullPath = (op: Operation) => (op.root ? op.path : API + op.path);
  const described = new Map(operations.map((op) => [`${op.method} ${fullPath(op)}`, op]));
  const routes = [
    ...registered,
    ...operations
      .filter((op) => op.outsideApp)
      .map((op) => ({ method: op.method.toUpperCase(), path: fullPath(op) })),
  ];
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const method = route.method.toLowerCase();
    if (route.method === "ALL" || notOperations(route.path)) continue;
    const path = openApiPath(route.path);
    const op = described.get(`${method} ${path}`);
    const inApi = path.startsWith(`${API}/`);
    const documentPath = inApi ? path.slice(API.length) : path;
    paths[documentPath] ??= {};
    if (paths[documentPath]![method]) continue;
    const operation = op
      ? operationObject(op)
      : { summary: "undocumented", "x-undocumented": true, responses: {} };
    paths[documentPath]![method] = inApi ? operation : { ...operation, servers: [{ url: "/" }] };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Peakwatch hub API",
      version: "1",
      description:
        "Cookie-authenticated requests that change something need x-csrf-token (from GET /auth/me). Roles: viewer < engineer < ops < admin. Generated from the routes the hub registered.",
    },
    servers: [{ url: "/api/v1" }],
    components: {
      securitySchemes: {
        session: { type: "apiKey", in: "cookie", name: "pw_session" },
        agentToken: { type: "http", scheme: "bearer" },
      },
    },
    paths,
    "x-live-messages": { client: json(ClientMessageSchema), server: json(ServerMessageSchema) },
  };
}

import { z } from "zod";
import { RunViewSchema } from "../core/api/runs.ts";
import { ClientMessageSchema, ServerMessageSchema } from "../core/live.ts";
import { ProbeResultBatchSchema, ProbeResultSchema } from "../core/probe-result.ts";
import { RunReportSchema } from "../core/run.ts";
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
}

const json = (schema: z.ZodType) => z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });

/** Every hub route with who may call it; the alerting routes are documented by their owner. */
const operations: Operation[] = [
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
    summary: "Store per-second windows (idempotent upsert); 400 names windows[i].field, nothing stored",
    access: "agent",
    body: WindowBatchSchema,
  },
  {
    method: "post",
    path: "/ingest/probe-results",
    summary: "Store probe results (ids already stored are ignored)",
    access: "agent",
    body: ProbeResultBatchSchema,
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
    response: z.object({ runs: z.array(RunViewSchema) }),
  },
  {
    method: "post",
    path: "/runs",
    summary: "Start a run: {profile, target, rateScale?, durationScale?}; target must be allowlisted",
    access: "ops",
  },
  {
    method: "post",
    path: "/runs/{id}/stop",
    summary: "Stop a run this hub started (SIGTERM to its generator)",
    access: "ops",
  },
  {
    method: "get",
    path: "/runs/{id}",
    summary: "{run, steps: {[step]: WindowSummary}, requests}: summaries merged from histograms",
    access: "viewer",
  },
  {
    method: "get",
    path: "/runs/{id}/series",
    summary: "{points: [[epochSeconds, value]], resolution}, downsampled by merging histograms",
    access: "viewer",
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
    query: { a: "run id", b: "run id" },
  },
  { method: "get", path: "/runs/{id}/report.json", summary: "Run report as JSON", access: "viewer" },
  { method: "get", path: "/runs/{id}/report.xml", summary: "Thresholds as JUnit XML", access: "viewer" },
  { method: "get", path: "/runs/{id}/report.html", summary: "Self-contained HTML report", access: "viewer" },
  { method: "get", path: "/profiles", summary: "Built-in load profiles", access: "viewer" },
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
    summary: "Scrape targets: up, last error, latest kept values",
    access: "viewer",
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
  { method: "get", path: "/faults", summary: "The shop's fault switches (proxied)", access: "viewer" },
  {
    method: "get",
    path: "/faults/products",
    summary: "Products of the shop to pick for failing_product ({id, name})",
    access: "viewer",
  },
  {
    method: "get",
    path: "/faults/changes",
    summary: "Fault switches flipped through the hub, oldest first (chart markers)",
    access: "viewer",
    query: { from: "epoch ms", to: "epoch ms", limit: "max rows" },
  },
  {
    method: "put",
    path: "/faults/{name}",
    summary: "Set a fault switch on the shop (body as core/faults.ts)",
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
  { method: "get", path: "/agent-tokens", summary: "Agent tokens (never the token itself)", access: "admin" },
  {
    method: "post",
    path: "/agent-tokens",
    summary: "Create an agent token {name}; the token is shown once",
    access: "admin",
  },
  { method: "delete", path: "/agent-tokens/{id}", summary: "Revoke an agent token", access: "admin" },
  {
    method: "get",
    path: "/live",
    summary: "WebSocket upgrade; see x-live-messages for the messages",
    access: "viewer",
  },
];

const security: Record<Access, Array<Record<string, string[]>>> = {
  public: [],
  agent: [{ agentToken: [] }],
  viewer: [{ session: [] }, { agentToken: [] }],
  engineer: [{ session: [] }],
  ops: [{ session: [] }],
  admin: [{ session: [] }],
};

/** The hub's OpenAPI 3.1 document (GET /api/v1/openapi.json). */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
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
    paths[op.path] ??= {};
    paths[op.path]![op.method] = {
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
  return {
    openapi: "3.1.0",
    info: {
      title: "Peakwatch hub API",
      version: "1",
      description:
        "Cookie-authenticated requests that change something need x-csrf-token (from GET /auth/me). Roles: viewer < engineer < ops < admin. Alert rules, silences, channels and the summary are served under the same prefix by the alerting subsystem.",
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

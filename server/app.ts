import { Hono } from "hono";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { rejectUnsafeUrls } from "../core/http/safe-url.ts";
import type { Db } from "../db/open.ts";
import type { AgentTokens } from "./auth/agent-tokens.ts";
import type { HubConfig } from "./config.ts";
import { authenticate, type PrincipalResolver } from "./http/auth.ts";
import { hubBodyLimit } from "./http/body-limit.ts";
import { dashboardRoutes } from "./http/dashboard.ts";
import type { HubEnv } from "./http/env.ts";
import { renderError, renderNotFound } from "./http/error-handler.ts";
import { sameOriginWrites } from "./http/origin.ts";
import { type IngestListener, ingestRoutes } from "./ingest/routes.ts";
import type { WindowWriter } from "./ingest/window-writer.ts";
import type { HubMetrics } from "./metrics/hub-metrics.ts";
import { openApiDocument } from "./openapi.ts";
import { Projects } from "./projects/projects.ts";
import { projectScope } from "./projects/scope.ts";

export interface HubDeps {
  db: Db;
  config: HubConfig;
  agents: AgentTokens;
  metrics: HubMetrics;
  /** How callers are recognised (agent tokens, sessions), tried in order. */
  resolvers: ReadonlyArray<PrincipalResolver>;
  ingestListeners?: ReadonlyArray<IngestListener>;
  /** Ingest's group-commit writer (the hub reports its queue); default: one of ingest's own. */
  windowWriter?: WindowWriter;
  /** Epoch milliseconds (injected in tests); default Date.now. */
  now?: () => number;
  /** The built dashboard (default dashboard/dist). */
  dashboardDir?: string;
  /** More /api/v1 routes (alerting, runs, …), mounted in order. */
  apiRoutes?: ReadonlyArray<Hono<HubEnv> | Hono>;
}

/**
 * The /api/v1 paths that are the instance's, not a project's (users, projects, audit, backups,
 * the shared shop's capacity, static profiles): they are never project-scoped and check instance
 * roles. Everything else works in the request's project, fault switches included: the shop is
 * shared (like a load target), but who flips a switch needs ops in the project the change is
 * recorded in, and each project's charts show its own changes.
 */
export const INSTANCE_PATHS = [
  "/auth",
  "/users",
  "/projects",
  "/audit",
  "/backups",
  "/config",
  "/profiles",
  "/readiness",
] as const;

/** Builds the hub's Hono app; `main.ts` listens. */
export function createHubApp(deps: HubDeps): Hono<HubEnv> {
  const app = new Hono<HubEnv>();
  app.use(requestId());
  app.onError(renderError);
  app.notFound(renderNotFound);
  // nosniff, no-referrer, frame denial on every answer; the dashboard adds its CSP.
  app.use(secureHeaders({ xFrameOptions: "DENY", strictTransportSecurity: false }));
  app.use(rejectUnsafeUrls());
  app.use(hubBodyLimit(deps.config.HUB_BODY_MAX_BYTES, ["/api/v1/ingest/"]));
  app.use(sameOriginWrites(deps.config.HUB_ALLOWED_ORIGINS));
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/metrics", async (c) =>
    c.body(await deps.metrics.registry.metrics(), 200, { "content-type": deps.metrics.registry.contentType }),
  );

  const api = new Hono<HubEnv>();
  // The document is public: it describes routes, not data. Built on first request from the
  // routes registered by then (all of them), so a route cannot exist without showing up.
  let document: Record<string, unknown> | undefined;
  api.get("/openapi.json", (c) => {
    document ??= openApiDocument(app.routes);
    return c.json(document);
  });
  api.use(authenticate(deps.resolvers));
  api.use(projectScope(new Projects(deps.db), INSTANCE_PATHS, deps.now));
  api.route(
    "/",
    ingestRoutes({
      db: deps.db,
      maxBytes: deps.config.HUB_INGEST_MAX_BYTES,
      maxQueuedWindows: deps.config.HUB_INGEST_MAX_QUEUED_WINDOWS,
      writer: deps.windowWriter,
      listeners: deps.ingestListeners ?? [],
      now: deps.now,
      rawRetentionSeconds: deps.config.HUB_RAW_RETENTION_HOURS * 3600,
    }),
  );
  // Sub-apps built without HubEnv (alerting) still see `principal` at run time.
  for (const routes of deps.apiRoutes ?? []) api.route("/", routes as Hono<HubEnv>);
  app.route("/api/v1", api);
  app.route("/", dashboardRoutes(deps.dashboardDir));
  return app;
}

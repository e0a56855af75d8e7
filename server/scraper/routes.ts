import { and, eq, gte, lte, type SQL, sql } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { checkLoadTarget } from "../../core/allowlist.ts";
import { DEFAULT_PROJECT_ID } from "../../core/api/projects.ts";
import { ScrapeTargetInputSchema, type ScrapeTargetView } from "../../core/api/scrape.ts";
import { AppError } from "../../core/http/app-error.ts";
import { parseOr400 } from "../../core/http/validate.ts";
import type { Db } from "../../db/open.ts";
import { type ScrapeTargetRow, scrapedSamples } from "../../db/schema/hub.ts";
import { actor } from "../alerting/http/principal.ts";
import type { AuditRecorder } from "../audit/audit-log.ts";
import { requireRole } from "../http/auth.ts";
import type { HubEnv } from "../http/env.ts";
import { jsonBody } from "../http/json-body.ts";
import { projectOf } from "../projects/scope.ts";
import { scrapedSeries } from "./extract.ts";
import type { Scraper } from "./scraper.ts";
import type { ScrapeTargets } from "./target-store.ts";

const SeriesSchema = z.object({
  series: z.enum(scrapedSeries),
  target: z.string().min(1).max(2000).optional(),
  /** Unix epoch milliseconds, inclusive. */
  from: z.coerce.number().int().nonnegative().optional(),
  to: z.coerce.number().int().nonnegative().optional(),
  /** Bucket width in seconds (mean per bucket). */
  resolution: z.coerce.number().int().min(1).max(86_400).default(10),
});

export interface ScrapeRoutesOptions {
  db: Db;
  scraper: Scraper;
  targets: ScrapeTargets;
  /** Hosts the hub may fetch from besides loopback and the shop (PEAKWATCH_ALLOWED_TARGETS). */
  allowed: { shopUrl: string; extraHosts: ReadonlyArray<string> };
  audit?: AuditRecorder;
}

/**
 * The project's scrape targets: GET /scrape/targets (state and latest values; the default project
 * also shows the HUB_SCRAPE_TARGETS ones), POST (ops; an allowlisted http(s) URL) and DELETE
 * /scrape/targets/:id (ops), both audited; /scrape/series (downsampled history of its samples).
 */
export function scrapeRoutes({ db, scraper, targets, allowed, audit }: ScrapeRoutesOptions): Hono<HubEnv> {
  const app = new Hono<HubEnv>();
  const view = (projectId: string, row: ScrapeTargetRow): ScrapeTargetView => ({
    ...scraper.status(projectId, row.url),
    id: row.id,
  });
  app.get("/scrape/targets", requireRole("viewer"), async (c) => {
    const project = projectOf(c);
    const configured =
      project.id === DEFAULT_PROJECT_ID ? scraper.configured.map((t) => ({ ...t, id: null })) : [];
    const stored = (await targets.list(project.id)).map((row) => view(project.id, row));
    return c.json({ targets: [...configured, ...stored] });
  });
  app.post("/scrape/targets", requireRole("ops"), async (c) => {
    const { url } = await jsonBody(c, ScrapeTargetInputSchema);
    const check = checkLoadTarget(url, allowed);
    if (!check.ok) throw new AppError("bad_request", `body.url: ${check.reason}`);
    const project = projectOf(c);
    const row = await targets.create(project.id, url, actor(c));
    await audit?.record({ actor: actor(c), action: "scrape_target.created", target: url });
    return c.json({ target: view(project.id, row) }, 201);
  });
  app.delete("/scrape/targets/:id", requireRole("ops"), async (c) => {
    const id = parseOr400(z.uuid(), c.req.param("id"), "params.id");
    const row = await targets.remove(projectOf(c).id, id);
    await audit?.record({ actor: actor(c), action: "scrape_target.deleted", target: row.url });
    return c.body(null, 204);
  });
  app.get("/scrape/series", requireRole("viewer"), async (c) => {
    const q = parseOr400(SeriesSchema, c.req.query(), "query");
    // Only the project's own samples: its targets', or for the default project the configured ones'.
    const where: SQL[] = [eq(scrapedSamples.projectId, projectOf(c).id), eq(scrapedSamples.series, q.series)];
    if (q.target) where.push(eq(scrapedSamples.target, q.target));
    if (q.from !== undefined) where.push(gte(scrapedSamples.at, q.from));
    if (q.to !== undefined) where.push(lte(scrapedSamples.at, q.to));
    // Inlined (a validated integer) so SELECT and GROUP BY are the same expression.
    const ms = sql.raw(String(q.resolution * 1000));
    const bucket = sql<number>`(floor(${scrapedSamples.at} / ${ms}) * ${sql.raw(String(q.resolution))})::bigint`;
    const rows = await db
      .select({
        t: bucket,
        target: scrapedSamples.target,
        value: sql<number>`avg(${scrapedSamples.value})::float8`,
      })
      .from(scrapedSamples)
      .where(and(...where))
      .groupBy(bucket, scrapedSamples.target)
      .orderBy(bucket);
    const byTarget: Record<string, Array<[number, number]>> = {};
    for (const r of rows) {
      const points = byTarget[r.target] ?? [];
      points.push([Number(r.t), r.value]);
      byTarget[r.target] = points;
    }
    return c.json({ series: q.series, resolution: q.resolution, targets: byTarget });
  });
  return app;
}

import { and, eq, gte, lte, type SQL, sql } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { parseOr400 } from "../../core/http/validate.ts";
import type { Db } from "../../db/open.ts";
import { scrapedSamples } from "../../db/schema/hub.ts";
import { requireRole } from "../http/auth.ts";
import type { HubEnv } from "../http/env.ts";
import { projectOf } from "../projects/scope.ts";
import { scrapedSeries } from "./extract.ts";
import type { Scraper } from "./scraper.ts";

const SeriesSchema = z.object({
  series: z.enum(scrapedSeries),
  target: z.string().min(1).max(2000).optional(),
  /** Unix epoch milliseconds, inclusive. */
  from: z.coerce.number().int().nonnegative().optional(),
  to: z.coerce.number().int().nonnegative().optional(),
  /** Bucket width in seconds (mean per bucket). */
  resolution: z.coerce.number().int().min(1).max(86_400).default(10),
});

/** GET /scrape/targets (state and latest values) and /scrape/series (downsampled history). */
export function scrapeRoutes({ db, scraper }: { db: Db; scraper: Scraper }): Hono<HubEnv> {
  const app = new Hono<HubEnv>();
  app.get("/scrape/targets", requireRole("viewer"), (c) => c.json({ targets: scraper.targets }));
  app.get("/scrape/series", requireRole("viewer"), async (c) => {
    const q = parseOr400(SeriesSchema, c.req.query(), "query");
    // The hub's scrapes are the default project's (its shop); other projects see none.
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

import { and, desc, eq, gte, lte, type SQL, sql } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { AppError } from "../../core/http/app-error.ts";
import { parseOr400 } from "../../core/http/validate.ts";
import type { ProbeResult } from "../../core/probe-result.ts";
import type { Db } from "../../db/open.ts";
import { type ProbeResultRow, probeResults, retiredProbes } from "../../db/schema/hub.ts";
import { requireRole } from "../http/auth.ts";
import type { HubEnv } from "../http/env.ts";
import { projectOf } from "../projects/scope.ts";

/**
 * After a probe is deleted from the hub, results still arrive until each probes process next asks
 * for its definitions (PEAKWATCH_PROBES_HUB_CONFIG_SECONDS, 60 s by default) and its check in
 * flight ends; those do not bring the probe back.
 */
const RETIRED_GRACE_MS = 5 * 60_000;

/** A stored probe result in its wire shape. */
export function rowToProbeResult(r: ProbeResultRow): ProbeResult {
  return {
    id: r.id,
    probe: r.probe,
    kind: r.kind as ProbeResult["kind"],
    region: r.region,
    target: r.target,
    startedAt: r.startedAt,
    ok: r.ok,
    state: r.state as ProbeResult["state"],
    ...(r.status !== null ? { status: r.status } : {}),
    ...(r.message !== null ? { message: r.message } : {}),
    phases: r.phases as ProbeResult["phases"],
    ...(r.steps ? { steps: r.steps as ProbeResult["steps"] } : {}),
  };
}

const NameSchema = z.object({ name: z.string().min(1).max(100) });
const ResultsSchema = z.object({
  region: z.string().min(1).max(64).optional(),
  /** Unix epoch milliseconds, inclusive. */
  from: z.coerce.number().int().nonnegative().optional(),
  to: z.coerce.number().int().nonnegative().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  /** Only failed (`false`) or passed (`true`) checks: the Probes page lists recent failures. */
  ok: z.enum(["true", "false"]).optional(),
});
const SeriesSchema = ResultsSchema.omit({ limit: true, ok: true }).extend({
  /** Bucket width in seconds. */
  resolution: z.coerce.number().int().min(1).max(86_400).default(60),
});

function filters(
  projectId: string,
  name: string,
  q: { region?: string; from?: number; to?: number; ok?: "true" | "false" },
): SQL[] {
  const where: SQL[] = [eq(probeResults.projectId, projectId), eq(probeResults.probe, name)];
  if (q.ok !== undefined) where.push(eq(probeResults.ok, q.ok === "true"));
  if (q.region) where.push(eq(probeResults.region, q.region));
  if (q.from !== undefined) where.push(gte(probeResults.startedAt, q.from));
  if (q.to !== undefined) where.push(lte(probeResults.startedAt, q.to));
  return where;
}

/** 404 unless the project has results of the probe (another project's probe does not exist here). */
async function requireProbe(db: Db, projectId: string, name: string): Promise<void> {
  const [any] = await db
    .select({ id: probeResults.id })
    .from(probeResults)
    .where(and(eq(probeResults.projectId, projectId), eq(probeResults.probe, name)))
    .limit(1);
  if (!any) throw new AppError("not_found", `no probe ${name}`);
}

/** GET /probes (current state per probe and region), /probes/:name/results, /probes/:name/series. */
export function probeRoutes({ db }: { db: Db }): Hono<HubEnv> {
  const app = new Hono<HubEnv>();
  app.use("/probes", requireRole("viewer"));
  app.use("/probes/*", requireRole("viewer"));

  app.get("/probes", async (c) => {
    const projectId = projectOf(c).id;
    // Newest result per (probe, region): its state is the probe's state there.
    const [rows, retired] = await Promise.all([
      db
        .selectDistinctOn([probeResults.probe, probeResults.region])
        .from(probeResults)
        .where(eq(probeResults.projectId, projectId))
        .orderBy(probeResults.probe, probeResults.region, desc(probeResults.startedAt)),
      db.select().from(retiredProbes).where(eq(retiredProbes.projectId, projectId)),
    ]);
    const retiredAt = new Map(retired.map((r) => [r.name, r.retiredAt]));
    // A deleted probe leaves the list; results after its deletion (another probes process with
    // its name) bring it back once the checks in flight at the deletion have had their time.
    const listed = rows.filter((r) => r.startedAt > (retiredAt.get(r.probe) ?? -Infinity) + RETIRED_GRACE_MS);
    return c.json({
      probes: listed.map((r) => ({
        name: r.probe,
        kind: r.kind,
        target: r.target,
        region: r.region,
        state: r.state,
        lastResult: rowToProbeResult(r),
      })),
    });
  });

  app.get("/probes/:name/results", async (c) => {
    const { name } = parseOr400(NameSchema, c.req.param(), "params");
    const q = parseOr400(ResultsSchema, c.req.query(), "query");
    const rows = await db
      .select()
      .from(probeResults)
      .where(and(...filters(projectOf(c).id, name, q)))
      .orderBy(desc(probeResults.startedAt))
      .limit(q.limit);
    if (rows.length === 0) await requireProbe(db, projectOf(c).id, name);
    return c.json({ results: rows.map(rowToProbeResult) });
  });

  /** Downsampled history: per bucket the success ratio, checks, and total-time percentiles. */
  app.get("/probes/:name/series", async (c) => {
    const { name } = parseOr400(NameSchema, c.req.param(), "params");
    const q = parseOr400(SeriesSchema, c.req.query(), "query");
    const bucketMs = q.resolution * 1000;
    // Inlined (a validated integer) so SELECT and GROUP BY are the same expression to Postgres.
    const bucket = sql<number>`(floor(${probeResults.startedAt} / ${sql.raw(String(bucketMs))}) * ${sql.raw(String(q.resolution))})::bigint`;
    const rows = await db
      .select({
        t: bucket,
        checks: sql<number>`count(*)::int`,
        success: sql<number>`avg(case when ${probeResults.ok} then 1.0 else 0.0 end)::float8`,
        p50: sql<number>`percentile_cont(0.5) within group (order by ${probeResults.totalMs})::float8`,
        p95: sql<number>`percentile_cont(0.95) within group (order by ${probeResults.totalMs})::float8`,
      })
      .from(probeResults)
      .where(and(...filters(projectOf(c).id, name, q)))
      .groupBy(bucket)
      .orderBy(bucket);
    if (rows.length === 0 && q.from === undefined) await requireProbe(db, projectOf(c).id, name);
    return c.json({
      resolution: q.resolution,
      points: rows.map((r) => ({
        t: Number(r.t),
        checks: r.checks,
        success: r.success,
        p50: r.p50,
        p95: r.p95,
      })),
    });
  });
  return app;
}

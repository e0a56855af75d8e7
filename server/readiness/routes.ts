/**
 * The readiness verdict for managers: capacity measurements reported by `peakwatch capacity`
 * (agents, or engineers by hand) and, per target, the latest verdict with its history.
 */
import { desc, eq } from "drizzle-orm";
import { Hono, type MiddlewareHandler } from "hono";
import { z } from "zod";
import {
  type CapacityMeasurement,
  CapacityMeasurementSchema,
  type ReadinessEntry,
  type ReadinessView,
} from "../../core/api/readiness.ts";
import { AppError } from "../../core/http/app-error.ts";
import { parseOr400 } from "../../core/http/validate.ts";
import { readinessVerdict } from "../../core/readiness.ts";
import type { Db } from "../../db/open.ts";
import { type CapacityMeasurementRow, capacityMeasurements } from "../../db/schema/planning.ts";
import { requireRole } from "../http/auth.ts";
import type { HubEnv } from "../http/env.ts";
import { jsonBody } from "../http/json-body.ts";

export interface ReadinessRoutesOptions {
  db: Db;
  now?: () => number;
}

const ListSchema = z.object({
  /** Measurements kept in each target's history. */
  history: z.coerce.number().int().min(1).max(200).default(20),
  target: z.string().min(1).max(200).optional(),
});

/** Agents (the capacity command) or engineers and up may report a measurement. */
const reporter: MiddlewareHandler<HubEnv> = async (c, next) => {
  const principal = c.get("principal");
  if (principal?.kind === "agent") return next();
  return requireRole("engineer")(c, next);
};

/** A stored row as the API shows it, with the verdict drawn from it. */
export function toEntry(row: CapacityMeasurementRow): ReadinessEntry {
  const parsed = CapacityMeasurementSchema.safeParse(row.measurement);
  if (!parsed.success)
    throw new AppError("internal", `stored measurement ${row.id} does not match its schema`, {
      cause: parsed.error,
    });
  const m: CapacityMeasurement = parsed.data;
  const verdict = readinessVerdict(m);
  return { ...m, id: row.id, ready: verdict.ready, headroom: verdict.headroom, verdict: verdict.text };
}

export function readinessRoutes(o: ReadinessRoutesOptions): Hono<HubEnv> {
  const { db } = o;
  const now = o.now ?? Date.now;
  const app = new Hono<HubEnv>();

  app.post("/readiness/measurements", reporter, async (c) => {
    const m = await jsonBody(c, CapacityMeasurementSchema);
    const principal = c.get("principal")!;
    const [row] = await db
      .insert(capacityMeasurements)
      .values({
        target: m.target,
        measuredAt: Date.parse(m.measuredAt),
        measurement: m,
        reportedBy: principal.kind === "agent" ? `agent:${principal.name}` : principal.email,
        createdAt: now(),
      })
      .returning();
    return c.json(toEntry(row!), 201);
  });

  app.get("/readiness", requireRole("viewer"), async (c) => {
    const q = parseOr400(ListSchema, c.req.query(), "query");
    const rows = await db
      .select()
      .from(capacityMeasurements)
      .where(q.target ? eq(capacityMeasurements.target, q.target) : undefined)
      .orderBy(desc(capacityMeasurements.measuredAt))
      .limit(2000);
    const byTarget = new Map<string, ReadinessEntry[]>();
    for (const row of rows) {
      const list = byTarget.get(row.target) ?? [];
      byTarget.set(row.target, list);
      if (list.length < q.history) list.push(toEntry(row));
    }
    const view: ReadinessView = {
      targets: [...byTarget].map(([target, history]) => ({ target, latest: history[0]!, history })),
    };
    return c.json(view);
  });

  return app;
}

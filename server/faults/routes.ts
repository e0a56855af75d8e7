import { and, asc, gte, lte, type SQL } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { type FaultChange, FaultName } from "../../core/faults.ts";
import { AppError } from "../../core/http/app-error.ts";
import { parseOr400 } from "../../core/http/validate.ts";
import { ProductPage } from "../../core/shop-api.ts";
import type { Db } from "../../db/open.ts";
import { faultChanges } from "../../db/schema/hub.ts";
import type { AuditRecorder } from "../audit/audit-log.ts";
import { requireRole } from "../http/auth.ts";
import type { HubEnv } from "../http/env.ts";
import { projectOf } from "../projects/scope.ts";
import { changeOfRow, faultsActiveAt } from "./active.ts";
import { faultChangeFor } from "./shared.ts";

export interface FaultRoutesOptions {
  shopUrl: string;
  adminToken: string | undefined;
  timeoutMs?: number;
  /** Where hand-made changes are recorded for chart markers; without it they are not kept. */
  db?: Db;
  /** Told of every recorded change and its project, e.g. to push it to live charts and log who flipped what. */
  changed?: (change: FaultChange, projectId: string) => void;
  /** Where every successful change is audited (fault.set, fault.cleared). */
  audit?: AuditRecorder;
}

const NameSchema = z.object({ name: FaultName });
const ChangesQuery = z.object({
  /** Unix epoch milliseconds, inclusive. */
  from: z.coerce.number().int().nonnegative().optional(),
  to: z.coerce.number().int().nonnegative().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
  /** Unix epoch milliseconds: also answer `active`, the switches on just before then (a run's start). */
  activeAt: z.coerce.number().int().nonnegative().optional(),
});

/**
 * What the shop answered a PUT with: whether the switch is on now (a PUT of `enabled: false`
 * turns it off), its parameters as `key=value` text for a chart label's tooltip, and when it
 * turns itself off (epoch ms), each null when absent or unreadable.
 */
async function switchedTo(
  res: Response,
): Promise<{ on: boolean; detail: string | null; expiresAt: number | null }> {
  try {
    const body = (await res.clone().json()) as {
      enabled?: unknown;
      params?: Record<string, unknown>;
      expiresAt?: unknown;
    };
    const entries = Object.entries(body.params ?? {}).filter(
      ([, v]) => !(Array.isArray(v) && v.length === 0),
    );
    const expires = typeof body.expiresAt === "string" ? Date.parse(body.expiresAt) : Number.NaN;
    return {
      on: body.enabled !== false,
      detail: entries.length === 0 ? null : entries.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(", "),
      expiresAt: Number.isFinite(expires) && expires >= 0 ? expires : null,
    };
  } catch {
    return { on: true, detail: null, expiresAt: null };
  }
}

/**
 * GET/PUT/DELETE /faults… proxied to the shop's /admin/faults with the shop's admin token, so
 * dashboard users never hold it. The shop validates switch parameters; its answer (including a
 * 400 naming the field) passes through unchanged.
 */
export function faultRoutes(options: FaultRoutesOptions): Hono<HubEnv> {
  const app = new Hono<HubEnv>();

  async function forward(method: string, path: string, body?: string): Promise<Response> {
    if (!options.adminToken) {
      throw new AppError("unavailable", "fault switches need SHOP_ADMIN_TOKEN set on the hub");
    }
    let res: Response;
    try {
      res = await fetch(new URL(path, options.shopUrl), {
        method,
        headers: {
          authorization: `Bearer ${options.adminToken}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
      });
    } catch (error) {
      throw new AppError("unavailable", `the shop at ${options.shopUrl} did not answer`, { cause: error });
    }
    const text = await res.text();
    return new Response(text === "" ? null : text, {
      status: res.status,
      headers: { "content-type": res.headers.get("content-type") ?? "application/json" },
    });
  }

  /**
   * Records (and audits) a successful change as the project's that made it, and tells `changed`;
   * a failed insert never fails the switch.
   */
  async function record(projectId: string, change: Omit<FaultChange, "at">): Promise<void> {
    const full: FaultChange = { at: Date.now(), ...change };
    try {
      await options.db?.insert(faultChanges).values({ projectId, ...full });
      await options.audit?.record({
        actor: change.by,
        action: change.action === "set" ? "fault.set" : "fault.cleared",
        target: change.fault,
        ...(change.detail ? { detail: { params: change.detail } } : {}),
      });
    } catch (error) {
      console.warn("could not record fault change", error);
    }
    options.changed?.(full, projectId);
  }

  const who = (c: { get(key: "principal"): HubEnv["Variables"]["principal"] }) => {
    const p = c.get("principal");
    return p?.kind === "user" ? p.email : (p?.name ?? "unknown");
  };

  app.get("/faults", requireRole("viewer"), () => forward("GET", "/admin/faults"));

  /**
   * Products to pick for `failing_product` and `stock_out` (their `productId` is required): the first page of the
   * shop's public catalog by name, as `{id, name}`.
   */
  app.get("/faults/products", requireRole("viewer"), async (c) => {
    const res = await forward("GET", "/api/products?pageSize=100&sort=name");
    if (!res.ok) return res;
    const page = ProductPage.parse(await res.json());
    return c.json({ products: page.items.map((p) => ({ id: p.id, name: p.name })) });
  });

  /**
   * Every project's hand-made changes of the shared shop's switches in a time range, oldest
   * first: the charts' manual fault markers. Who made another project's change, and how, is
   * not shown (faultChangeFor). With `activeAt`, also `active`: the switches already on just
   * before then (faultsActiveAt), so a run shows the faults it started under.
   */
  app.get("/faults/changes", requireRole("viewer"), async (c) => {
    const q = parseOr400(ChangesQuery, c.req.query(), "query");
    if (!options.db) return c.json({ changes: [], ...(q.activeAt === undefined ? {} : { active: [] }) });
    const viewer = projectOf(c).id;
    const where: SQL[] = [];
    if (q.from !== undefined) where.push(gte(faultChanges.at, q.from));
    if (q.to !== undefined) where.push(lte(faultChanges.at, q.to));
    const rows = await options.db
      .select()
      .from(faultChanges)
      .where(and(...where))
      .orderBy(asc(faultChanges.at))
      .limit(q.limit);
    return c.json({
      changes: rows.map((r) => faultChangeFor(changeOfRow(r), r.projectId, viewer)),
      ...(q.activeAt === undefined ? {} : { active: await faultsActiveAt(options.db, q.activeAt, viewer) }),
    });
  });

  app.put("/faults/:name", requireRole("ops"), async (c) => {
    const { name } = parseOr400(NameSchema, c.req.param(), "params");
    const body = await c.req.text();
    const res = await forward("PUT", `/admin/faults/${name}`, body === "" ? "{}" : body);
    if (res.ok) {
      const { on, detail, expiresAt } = await switchedTo(res);
      await record(
        projectOf(c).id,
        on
          ? { fault: name, action: "set", by: who(c), detail, expiresAt }
          : { fault: name, action: "clear", by: who(c), detail: null },
      );
    }
    return res;
  });

  app.delete("/faults/:name", requireRole("ops"), async (c) => {
    const { name } = parseOr400(NameSchema, c.req.param(), "params");
    const res = await forward("DELETE", `/admin/faults/${name}`);
    if (res.ok) await record(projectOf(c).id, { fault: name, action: "clear", by: who(c), detail: null });
    return res;
  });

  app.delete("/faults", requireRole("ops"), async (c) => {
    const res = await forward("DELETE", "/admin/faults");
    if (res.ok) await record(projectOf(c).id, { fault: "all", action: "clear", by: who(c), detail: null });
    return res;
  });
  return app;
}

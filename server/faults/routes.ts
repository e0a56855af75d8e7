import { Hono } from "hono";
import { z } from "zod";
import { FaultName } from "../../core/faults.ts";
import { AppError } from "../../core/http/app-error.ts";
import { parseOr400 } from "../../core/http/validate.ts";
import { requireRole } from "../http/auth.ts";
import type { HubEnv } from "../http/env.ts";

export interface FaultRoutesOptions {
  shopUrl: string;
  adminToken: string | undefined;
  timeoutMs?: number;
  /** Told of every change, e.g. to log who flipped which switch. */
  changed?: (change: { by: string; method: string; name: string | null }) => void;
}

const NameSchema = z.object({ name: FaultName });

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

  const who = (c: { get(key: "principal"): HubEnv["Variables"]["principal"] }) => {
    const p = c.get("principal");
    return p?.kind === "user" ? p.email : (p?.name ?? "unknown");
  };

  app.get("/faults", requireRole("viewer"), () => forward("GET", "/admin/faults"));

  app.put("/faults/:name", requireRole("ops"), async (c) => {
    const { name } = parseOr400(NameSchema, c.req.param(), "params");
    const body = await c.req.text();
    const res = await forward("PUT", `/admin/faults/${name}`, body === "" ? "{}" : body);
    if (res.ok) options.changed?.({ by: who(c), method: "PUT", name });
    return res;
  });

  app.delete("/faults/:name", requireRole("ops"), async (c) => {
    const { name } = parseOr400(NameSchema, c.req.param(), "params");
    const res = await forward("DELETE", `/admin/faults/${name}`);
    if (res.ok) options.changed?.({ by: who(c), method: "DELETE", name });
    return res;
  });

  app.delete("/faults", requireRole("ops"), async (c) => {
    const res = await forward("DELETE", "/admin/faults");
    if (res.ok) options.changed?.({ by: who(c), method: "DELETE", name: null });
    return res;
  });
  return app;
}

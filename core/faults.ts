import { z } from "zod";
import { faultNames } from "./names.ts";

export { faultNames };

/**
 * The shop's fault switches, shared by the shop (/admin/faults), the hub (which proxies
 * them) and the load generator's fault timeline. Each switch carries its own parameters.
 */
export const FaultName = z.enum(faultNames);
export type FaultName = z.infer<typeof FaultName>;

/** Route templates a fault applies to (`/api/products/:id`); empty means every route. */
const routes = z.array(z.string().min(1).max(200)).max(50).default([]);
const probability = z.number().min(0).max(1);

/** Parameters of each switch, with defaults so `PUT {}` turns a switch on sensibly. */
export const faultParams = {
  latency: z.object({
    routes,
    fixedMs: z.number().int().min(0).max(60_000).default(200),
    jitterMs: z.number().int().min(0).max(60_000).default(0),
    probability: probability.default(1),
    /**
     * Only while the route's arrival rate (requests/s over the last `rateWindowSeconds`, 3 by
     * default) is above this: a dependency that saturates at a known rate (capacity tests).
     */
    aboveRatePerSecond: z.number().positive().max(100_000).optional(),
    rateWindowSeconds: z.number().min(0.5).max(60).optional(),
  }),
  errors: z.object({
    routes,
    rate: probability.default(0.5),
    status: z.number().int().min(400).max(599).default(500),
  }),
  payment_failure: z.object({ percentage: z.number().min(0).max(100).default(100) }),
  /** The payment provider accepts the connection and never answers: checkouts wait for the payment timeout. */
  payment_unreachable: z.object({}),
  failing_product: z.object({ productId: z.uuid(), status: z.number().int().min(400).max(599).default(500) }),
  /** Added to every request that reaches the database. */
  slow_db: z.object({ delayMs: z.number().int().min(0).max(60_000).default(500) }),
  /** Busy CPU work on the event loop per request. */
  cpu_burn: z.object({ msPerRequest: z.number().int().min(0).max(5_000).default(20) }),
  /** Retained per request until the switch turns off. */
  memory_leak: z.object({ bytesPerRequest: z.number().int().min(0).max(10_000_000).default(100_000) }),
  readiness: z.object({}),
  /** Empties the shop's catalog cache and keeps it empty while on: every catalog read hits the database. */
  cache_flush: z.object({}),
  /**
   * The hot product sells out: its page and listings show 0 in stock, and adding it to a cart or
   * checking it out answers 409 as a real sell-out does (checkouts counted as out_of_stock). The
   * stored stock is left alone, so switching it off brings the product back.
   */
  stock_out: z.object({ productId: z.uuid() }),
} satisfies Record<FaultName, z.ZodObject>;

export type FaultParams = { [K in FaultName]: z.infer<(typeof faultParams)[K]> };

/** The longest a switch may be set to stay on by itself: a week. */
export const MAX_FAULT_SECONDS = 7 * 24 * 3600;

/** Common fields of a PUT /admin/faults/:name body, beside the switch's own parameters. */
export const FaultSwitchFields = z.object({
  enabled: z.boolean().default(true),
  /** Turns itself off after this many seconds (at most MAX_FAULT_SECONDS). */
  expiresInSeconds: z.number().int().min(1).max(MAX_FAULT_SECONDS).optional(),
});

/** Fields beside `params` in the read-back shape of a PUT body. */
const ReadBackFields = FaultSwitchFields.extend({
  /** ISO time the switch turns itself off (the absolute form of expiresInSeconds), or null for never. */
  expiresAt: z.iso
    .datetime({ offset: true, error: "must be an ISO time like 2026-12-01T06:00:00Z, or null" })
    .nullable()
    .optional(),
});

/**
 * The body of PUT /admin/faults/:name for a given switch, in either of two shapes, both strict:
 * - flat: `{enabled?, expiresInSeconds?, ...params}` (what a person types);
 * - as read back: `{enabled?, expiresAt?, expiresInSeconds?, params, name?}`, the shape GET and
 *   PUT answer with, so what a client reads it can write back; `name`, when given, must be the
 *   path's.
 * A body with a `params` key is the second shape (no switch has a parameter called `params`).
 * Both parse to the flat form, `expiresAt` as a Date when one is given. An unknown field is a
 * 400 naming it and what would have been accepted there.
 */
export function faultUpdateSchema<K extends FaultName>(name: K) {
  const params = faultParams[name];
  const paramNames = Object.keys(params.shape).join(", ") || "none";
  const flat = params.extend(FaultSwitchFields.shape).strict();
  const readBack = ReadBackFields.extend({
    name: z.literal(name, { error: `must be "${name}", the switch in the path, or left out` }).optional(),
    params: params.strict(),
  })
    .strict()
    .refine((b) => b.expiresAt == null || b.expiresInSeconds === undefined, {
      path: ["expiresAt"],
      message: "give expiresAt or expiresInSeconds, not both",
    })
    .transform(({ params: values, name: _name, expiresAt, ...common }) => ({
      ...common,
      ...values,
      ...(expiresAt ? { expiresAt: new Date(expiresAt) } : {}),
    }));
  const unknownField = (isReadBack: boolean, path: PropertyKey[]) =>
    !isReadBack
      ? `is not a field of ${name} (its parameters: ${paramNames}; also enabled, expiresInSeconds; or send {enabled, expiresAt, params} as GET answers)`
      : path.length === 0
        ? "does not go beside params: switch parameters go inside params, beside it only enabled, expiresAt, expiresInSeconds, name"
        : `is not a parameter of ${name} (its parameters: ${paramNames})`;
  return z.unknown().transform((body, ctx) => {
    const isReadBack = typeof body === "object" && body !== null && "params" in body;
    const result = (isReadBack ? readBack : flat).safeParse(body);
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      if (issue.code !== "unrecognized_keys") ctx.addIssue({ ...issue, input: undefined });
      else
        for (const key of issue.keys)
          ctx.addIssue({
            code: "custom",
            path: [...issue.path, key],
            message: unknownField(isReadBack, issue.path),
          });
    }
    return z.NEVER;
  });
}

/** One switch's state as GET /admin/faults reports it. */
export const FaultState = z.object({
  enabled: z.boolean(),
  /** ISO time the switch turns itself off, or null. */
  expiresAt: z.string().nullable(),
  params: z.record(z.string(), z.unknown()),
});
export type FaultState = z.infer<typeof FaultState>;

export const FaultsResponse = z.object({ faults: z.record(FaultName, FaultState) });
export type FaultsResponse = z.infer<typeof FaultsResponse>;

/**
 * A fault switch flipped through the hub by hand (GET /faults/changes, live `fault` message),
 * marked on charts beside a run's own fault timeline. `at` is Unix epoch milliseconds.
 */
export const FaultChangeSchema = z.object({
  at: z.number().int().nonnegative(),
  /** The switch's name, or "all" when every switch was cleared at once. */
  fault: z.string(),
  action: z.enum(["set", "clear"]),
  by: z.string(),
  /** The parameters it was switched on with, as `key=value` text. */
  detail: z.string().nullable(),
  /** When a "set" turns itself off at the shop, epoch ms (absent or null: never, or not known). */
  expiresAt: z.number().int().nonnegative().nullable().optional(),
});
export type FaultChange = z.infer<typeof FaultChangeSchema>;

/**
 * Load profiles as data (JSON or YAML validated here): stages, journeys with weights and
 * think time, thresholds, and a fault timeline for the shop's fault API. Errors name the path
 * of the bad field. Durations are normalised to seconds.
 */
import { z } from "zod";
import { DerivedFromSchema } from "./derived-profile.ts";
import { faultNames, faultParams } from "./faults.ts";
import { parseThreshold } from "./threshold.ts";

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/** "30s", "1.5m", "500ms", "2h" or a plain number of seconds → seconds. */
export const DurationSchema = z.union([
  z.number().nonnegative(),
  z
    .string()
    .regex(/^\d+(\.\d+)?(ms|s|m|h)$/, 'a duration such as "30s", "2m", "500ms" or a number of seconds')
    .transform((s) => {
      const [, n, unit] = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(s)!;
      return Number(n) * UNIT_SECONDS[unit!]!;
    }),
]);

/** The journeys the generator knows by name (implemented in loadgen/journeys). */
export const builtinJourneys = [
  "home",
  "browse",
  "search",
  "product",
  "recommendations",
  "view_cart",
  "add_to_cart",
  "checkout",
] as const;

const stepName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_.:-]+$/, "use letters, digits and _ . : - only")
  .refine((s) => s !== "journey", '"journey" is reserved for whole-journey windows');

/** One plain HTTP request of a custom journey. */
export const RequestStepSchema = z.strictObject({
  name: stepName,
  method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]).default("GET"),
  path: z.string().startsWith("/"),
  headers: z.record(z.string(), z.string()).default({}),
  body: z.unknown().optional(),
  /** Statuses that count as success; anything else is an assertion error (4xx/5xx keep their class). */
  expectStatus: z.array(z.number().int().min(100).max(599)).default([200]),
});
export type RequestStep = z.infer<typeof RequestStepSchema>;

const ThinkTimeSchema = z
  .strictObject({ min: DurationSchema, max: DurationSchema })
  .refine((t) => t.max >= t.min, { message: "max must be ≥ min", path: ["max"] });

export const JourneySchema = z
  .strictObject({
    name: stepName,
    /** Relative weight in the mix; 0 disables the journey. */
    weight: z.number().nonnegative().default(1),
    /** Pause between steps, uniformly random in [min, max]. */
    thinkTime: ThinkTimeSchema.optional(),
    /** A custom journey; without steps, `name` must be one of the built-in journeys. */
    steps: z.array(RequestStepSchema).min(1).max(50).optional(),
  })
  .superRefine((j, ctx) => {
    if (!j.steps && !(builtinJourneys as ReadonlyArray<string>).includes(j.name)) {
      ctx.addIssue({
        code: "custom",
        path: ["name"],
        message: `unknown journey "${j.name}"; built in: ${builtinJourneys.join(", ")} (or give steps)`,
      });
    }
  });
export type Journey = z.infer<typeof JourneySchema>;

export const StageSchema = z
  .strictObject({
    duration: DurationSchema.refine((d) => d > 0, "must be positive"),
    /** Open model: arrivals per second reached at the end of the stage (ramps linearly). */
    rate: z.number().nonnegative().max(1_000_000).optional(),
    /** Closed model: concurrent connections for the stage. */
    connections: z.number().int().min(1).max(10_000).optional(),
  })
  .refine((s) => (s.rate === undefined) !== (s.connections === undefined), {
    message: "give exactly one of rate (open model) or connections (closed model)",
  });
export type Stage = z.infer<typeof StageSchema>;

export const ThresholdSpecSchema = z.union([
  z.string(),
  z.strictObject({
    expression: z.string(),
    /** Stop the run as soon as the threshold fails over the sliding window. */
    abortOnFail: z.boolean().default(false),
    /** The sliding window abort evaluation looks at. */
    window: DurationSchema.default(10),
    /** Do not abort before this much of the run has passed (lets the ramp settle). */
    delayAbortEval: DurationSchema.default(5),
  }),
]);

export interface Threshold {
  expression: string;
  abortOnFail: boolean;
  window: number;
  delayAbortEval: number;
}

const FaultStepSchema = z.strictObject({
  /** Offset from the run start. */
  at: DurationSchema,
  fault: z.enum(faultNames),
  /** Fault parameters passed to PUT /admin/faults/:name (e.g. {rate: 0.3}). */
  params: z.record(z.string(), z.unknown()).default({}),
  /** Cleared after this long; without it the fault stays until the run ends. */
  duration: DurationSchema.optional(),
});
export type FaultStep = z.infer<typeof FaultStepSchema>;

const ExecutorOptionsSchema = z.strictObject({
  /** HTTP connections to the target (open model). */
  connections: z.number().int().min(1).max(10_000).default(64),
  /** Journeys in flight at once; an arrival finding none free waits, then is dropped. */
  maxVUs: z.number().int().min(1).max(100_000).default(1000),
  /** How long an arrival may wait for a free virtual user before it counts as dropped. */
  maxQueueDelay: DurationSchema.default(1),
  /** Per-request timeout. */
  timeout: DurationSchema.default(10),
});

export const ProfileSchema = z
  .strictObject({
    name: z.string().min(1).max(200),
    description: z.string().max(500).default(""),
    /** Rate at the start of the first stage; defaults to the first stage's rate (a flat start). */
    startRate: z.number().nonnegative().optional(),
    stages: z.array(StageSchema).min(1).max(100),
    journeys: z.array(JourneySchema).min(1).max(50),
    thresholds: z.array(ThresholdSpecSchema).max(100).default([]),
    faults: z.array(FaultStepSchema).max(100).default([]),
    executor: ExecutorOptionsSchema.default(ExecutorOptionsSchema.parse({})),
    /** Ramp until an abort threshold breaks, then report the highest rate that held. */
    breakpoint: z.boolean().default(false),
    /** Set by `peakwatch profile from-log`: the log's aggregates this profile was derived from. */
    derivedFrom: DerivedFromSchema.optional(),
  })
  .superRefine((p, ctx) => {
    const open = p.stages[0]?.rate !== undefined;
    p.stages.forEach((s, i) => {
      if ((s.rate !== undefined) !== open) {
        ctx.addIssue({
          code: "custom",
          path: ["stages", i],
          message: "do not mix rate and connections stages",
        });
      }
    });
    if (!open) {
      p.journeys.forEach((j, i) => {
        if (!j.steps) {
          ctx.addIssue({
            code: "custom",
            path: ["journeys", i, "steps"],
            message: "connections (closed-model) stages run request steps: give this journey steps",
          });
        }
      });
    }
    if (!p.journeys.some((j) => j.weight > 0)) {
      ctx.addIssue({
        code: "custom",
        path: ["journeys"],
        message: "at least one journey needs a weight > 0",
      });
    }
    p.thresholds.forEach((t, i) => {
      const expression = typeof t === "string" ? t : t.expression;
      const parsed = parseThreshold(expression);
      if (!parsed.ok) {
        ctx.addIssue({
          code: "custom",
          path: typeof t === "string" ? ["thresholds", i] : ["thresholds", i, "expression"],
          message: parsed.error,
        });
      }
    });
    p.faults.forEach((f, i) => {
      const r = faultParams[f.fault].strict().safeParse(f.params);
      if (!r.success) {
        const issue = r.error.issues[0]!;
        ctx.addIssue({
          code: "custom",
          path: ["faults", i, "params", ...issue.path],
          message: issue.message,
        });
      }
    });
    if (p.breakpoint && !p.thresholds.some((t) => typeof t !== "string" && t.abortOnFail)) {
      ctx.addIssue({
        code: "custom",
        path: ["thresholds"],
        message: "a breakpoint profile needs an abortOnFail threshold",
      });
    }
  });

export type ProfileInput = z.input<typeof ProfileSchema>;
type ParsedProfile = z.output<typeof ProfileSchema>;
export type Profile = Omit<ParsedProfile, "thresholds"> & { thresholds: Threshold[] };

/** Formats a zod path like `stages[1].rate`. */
function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const part of path)
    out += typeof part === "number" ? `[${part}]` : out === "" ? String(part) : `.${String(part)}`;
  return out || "(profile)";
}

/** Validates a profile; the error names the path of the first bad field, e.g. `stages[1].rate: …`. */
export function parseProfile(
  input: unknown,
): { ok: true; profile: Profile } | { ok: false; error: string; path: string } {
  const result = ProfileSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const path = formatPath(issue.path);
    return { ok: false, path, error: `${path}: ${issue.message}` };
  }
  const p = result.data;
  const thresholds = p.thresholds.map((t) =>
    typeof t === "string" ? { expression: t, abortOnFail: false, window: 10, delayAbortEval: 5 } : t,
  );
  return { ok: true, profile: { ...p, thresholds } };
}

/** Multiplies every rate and connection count by `rate`, every duration and offset by `duration`. */
export function scaleProfile(p: Profile, scale: { rate?: number; duration?: number }): Profile {
  const r = scale.rate ?? 1;
  const d = scale.duration ?? 1;
  return {
    ...p,
    startRate: p.startRate === undefined ? undefined : p.startRate * r,
    stages: p.stages.map((s) => ({
      duration: s.duration * d,
      rate: s.rate === undefined ? undefined : s.rate * r,
      connections: s.connections === undefined ? undefined : Math.max(1, Math.round(s.connections * r)),
    })),
    faults: p.faults.map((f) => ({
      ...f,
      at: f.at * d,
      duration: f.duration === undefined ? undefined : f.duration * d,
    })),
    thresholds: p.thresholds.map((t) => ({ ...t, delayAbortEval: t.delayAbortEval * d })),
  };
}

/** Planned length of a profile in seconds. */
export function profileSeconds(p: Pick<Profile, "stages">): number {
  return p.stages.reduce((sum, s) => sum + s.duration, 0);
}

/** The open-model rate curve of a profile: each stage ramps linearly from the previous rate. */
export function rateSegments(
  p: Pick<Profile, "stages" | "startRate">,
): { duration: number; from: number; to: number }[] {
  let previous = p.startRate ?? p.stages[0]?.rate ?? 0;
  return p.stages.map((s) => {
    const to = s.rate ?? 0;
    const segment = { duration: s.duration, from: previous, to };
    previous = to;
    return segment;
  });
}

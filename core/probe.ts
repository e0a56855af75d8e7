import { z } from "zod";

/**
 * Probe definitions: what a probe file (YAML or JSON) or the hub may configure. Objects are
 * strict: a misspelt key (`assertion:`) is an error naming it, never silently ignored.
 * Durations accept milliseconds as a number or a string such as "300ms", "15s", "2m".
 */

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/;
const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** Parses "15s" / "300ms" / 1500 into milliseconds; undefined when it is not a duration. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value : undefined;
  const match = DURATION.exec(value.trim());
  if (!match) return undefined;
  return Number(match[1]) * unitMs[match[2] as keyof typeof unitMs];
}

/** A duration in milliseconds between `min` and `max`, given as a number (ms) or "15s". */
export const durationMs = (min: number, max: number) =>
  z.union([z.number(), z.string()]).transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === undefined) {
      ctx.addIssue({ code: "custom", message: `not a duration (use e.g. 500, "500ms", "15s", "2m")` });
      return z.NEVER;
    }
    if (ms < min || ms > max) {
      ctx.addIssue({ code: "custom", message: `must be between ${min} ms and ${max} ms (got ${ms} ms)` });
      return z.NEVER;
    }
    return ms;
  });

const regex = z.string().refine((source) => {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}, "not a valid regular expression");

export const compareOps = ["<", "<=", ">", ">=", "==", "!="] as const;
export type CompareOp = (typeof compareOps)[number];

/** One assertion on a check's outcome. Evaluated by pure functions in probes/assertions.ts. */
export const AssertionSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("status"), in: z.array(z.number().int().min(100).max(999)).min(1) }),
  z.strictObject({ type: z.literal("bodyContains"), value: z.string().min(1) }),
  z.strictObject({ type: z.literal("bodyMatches"), pattern: regex }),
  z.strictObject({ type: z.literal("bodyNotMatches"), pattern: regex }),
  z.strictObject({ type: z.literal("jsonPathExists"), path: z.string().min(1) }),
  z.strictObject({ type: z.literal("jsonPathEquals"), path: z.string().min(1), value: z.unknown() }),
  z.strictObject({
    type: z.literal("jsonPathCompare"),
    path: z.string().min(1),
    op: z.enum(compareOps),
    value: z.number(),
  }),
  z.strictObject({ type: z.literal("header"), name: z.string().min(1), pattern: regex }),
  z.strictObject({ type: z.literal("latencyBelow"), ms: z.number().positive() }),
  z.strictObject({ type: z.literal("certDaysLeft"), min: z.number().nonnegative() }),
]);
export type Assertion = z.infer<typeof AssertionSchema>;
export type AssertionType = Assertion["type"];

const probeName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_.:-]+$/, "use letters, digits and _ . : - only");

const headers = z.record(z.string().min(1), z.string());

/** TLS options of an http or tcp check. */
export const TlsOptionsSchema = z.strictObject({
  /** Accept certificates that do not verify (self-signed test servers). The days-left check still runs. */
  insecureSkipVerify: z.boolean().default(false),
  /** Extra trusted CA certificate(s), PEM. */
  ca: z.string().min(1).optional(),
  /** SNI name and the name the certificate must carry, when it differs from the URL's host. */
  servername: z.string().min(1).optional(),
});
export type TlsOptions = z.infer<typeof TlsOptionsSchema>;

/** The request part shared by an http probe and a flow step. Strings may hold `{{templates}}`. */
const requestFields = {
  method: z.enum(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]).default("GET"),
  /** An absolute http(s) URL; may contain `{{templates}}` (flow steps), so it is checked when rendered. */
  url: z.string().regex(/^(https?:\/\/|\{\{)/, "must start with http:// or https://"),
  headers: headers.default({}),
  /** A string is sent as is; anything else as JSON with content-type application/json. */
  body: z.unknown().optional(),
  tls: TlsOptionsSchema.optional(),
  assertions: z.array(AssertionSchema).default([]),
};

/** Settings every probe kind shares. */
const common = {
  name: probeName,
  interval: durationMs(100, 24 * 3_600_000).default(15_000),
  /** Per-check timeout; a hanging target fails the check at this point. */
  timeout: durationMs(10, 10 * 60_000).default(10_000),
  /** Each check starts up to this much after its slot, so probes do not fire in lockstep. */
  jitter: durationMs(0, 60 * 60_000).optional(),
  /** Consecutive failures before the probe turns DOWN (one timeout is not an outage). */
  failureThreshold: z.number().int().min(1).max(100).default(2),
  /** Consecutive successes before a DOWN probe turns UP again. */
  successThreshold: z.number().int().min(1).max(100).default(2),
  /** Overrides the process's region label. */
  region: z.string().min(1).max(64).optional(),
  enabled: z.boolean().default(true),
};

export const HttpProbeSchema = z.strictObject({ kind: z.literal("http"), ...common, ...requestFields });
export type HttpProbe = z.infer<typeof HttpProbeSchema>;

export const TcpProbeSchema = z.strictObject({
  kind: z.literal("tcp"),
  ...common,
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  tls: TlsOptionsSchema.optional(),
  assertions: z.array(AssertionSchema).default([]),
});
export type TcpProbe = z.infer<typeof TcpProbeSchema>;

/** A value taken from one flow step's response and available to later steps as `{{name}}`. */
export const CaptureSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "use letters, digits and _ (not starting with a digit)"),
  /** Where the value comes from: a JSON path of the body, a response header, or the raw body. */
  from: z.enum(["json", "header", "body"]),
  /** JSON path (from: json) or header name (from: header). */
  path: z.string().min(1).optional(),
  /** Applied to the selected value; the first group (or the whole match) is captured. */
  regex: regex.optional(),
});
export type Capture = z.infer<typeof CaptureSchema>;

export const FlowStepSchema = z.strictObject({
  name: probeName,
  ...requestFields,
  capture: z.array(CaptureSchema).default([]),
  /** Repeat the step until its assertions and captures pass (e.g. waiting for a mail to arrive). */
  retry: z
    .strictObject({ attempts: z.number().int().min(1).max(20), delay: durationMs(0, 60_000).default(250) })
    .optional(),
});
export type FlowStep = z.infer<typeof FlowStepSchema>;

export const FlowProbeSchema = z.strictObject({
  kind: z.literal("flow"),
  ...common,
  interval: durationMs(100, 24 * 3_600_000).default(30_000),
  timeout: durationMs(10, 10 * 60_000).default(20_000),
  /** Values rendered once at the start of each run (e.g. a random customer), usable as `{{name}}`. */
  vars: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).default({}),
  steps: z.array(FlowStepSchema).min(1).max(50),
});
export type FlowProbe = z.infer<typeof FlowProbeSchema>;

export const ProbeSchema = z.discriminatedUnion("kind", [HttpProbeSchema, TcpProbeSchema, FlowProbeSchema]);
export type Probe = z.infer<typeof ProbeSchema>;

/** A probe file: `{probes: [...]}`. Probe names are unique. */
export const ProbeFileSchema = z
  .object({ probes: z.array(ProbeSchema).max(1000) })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.probes.forEach((probe, i) => {
      if (seen.has(probe.name))
        ctx.addIssue({
          code: "custom",
          path: ["probes", i, "name"],
          message: `duplicate name "${probe.name}"`,
        });
      seen.add(probe.name);
    });
  });
export type ProbeFile = z.infer<typeof ProbeFileSchema>;

/** The jitter a probe gets when its definition names none: a tenth of its interval, at most 5 s. */
export function jitterOf(probe: Pick<Probe, "interval" | "jitter">): number {
  return probe.jitter ?? Math.min(probe.interval / 10, 5000);
}

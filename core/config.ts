import { z } from "zod";

/** A setting that could not be parsed; `variable` names the environment variable at fault. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = "ConfigError";
  }
}

/** A TCP port from an environment variable: an integer in 0..65535 (0 means "any free port"). */
export const portSetting = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/** A non-empty string setting that may be absent. */
export const optionalString = z
  .string()
  .trim()
  .transform((s) => (s === "" ? undefined : s))
  .optional();

/**
 * Parses `env` once against `schema` into a typed config.
 * Throws ConfigError naming the first bad variable (the schema's keys are variable names).
 */
export function parseEnv<S extends z.ZodObject>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const variable = String(issue.path[0] ?? "environment");
  const got = env[variable];
  throw new ConfigError(
    variable,
    `${issue.message}${got === undefined ? "" : ` (got ${JSON.stringify(got)})`}`,
  );
}

/** Settings every process shares. */
export const commonSettings = {
  /** Where embedded databases, generated keys and spooled data live. */
  PEAKWATCH_DATA_DIR: z.string().min(1).default(".peakwatch"),
  /** Interface the servers bind to. Loopback by default: nothing is exposed unless asked. */
  PEAKWATCH_HOST: z.string().min(1).default("127.0.0.1"),
  DATABASE_URL: optionalString,
};

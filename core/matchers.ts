import { RE2JS } from "re2js";
import { z } from "zod";
import type { Labels } from "./fingerprint.ts";

/**
 * Matcher regexes are user input evaluated every second against every alert, so they run on
 * RE2 semantics (re2js: a pure-JS port of RE2, linear in pattern × value), never on V8's
 * backtracking engine: `(a+)+b` against 29 "a"s took 1.9 s per evaluation there.
 * Backreferences and lookaround are not RE2 syntax and are refused when the matcher is saved.
 */
export const MAX_REGEX_LENGTH = 512;
/** Longer label values never match a regex (and always match `!~`): bounds the work per test. */
export const MAX_MATCHED_VALUE_LENGTH = 4096;

/** Alertmanager's matcher operators: equal, not equal, regex match, regex non-match. */
export const matcherOps = ["=", "!=", "=~", "!~"] as const;

const labelName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "use letters, digits and _ (not starting with a digit)");

/** A label matcher; regexes are anchored at both ends, as in Alertmanager. */
export const MatcherSchema = z
  .preprocess(
    alertmanagerStyle,
    z.object({
      name: labelName,
      op: z.enum(matcherOps).default("="),
      value: z.string().max(1000),
    }),
  )
  .superRefine((m, ctx) => {
    if (!m.op.includes("~")) return;
    const problem = regexProblem(m.value);
    if (problem) ctx.addIssue({ code: "custom", message: problem, path: ["value"] });
  });
export type Matcher = z.infer<typeof MatcherSchema>;

/** Accepts Alertmanager's `{isRegex, isEqual}` form too, as its API and UIs send it. */
function alertmanagerStyle(input: unknown): unknown {
  if (!input || typeof input !== "object" || "op" in input) return input;
  const { isRegex, isEqual, ...rest } = input as { isRegex?: unknown; isEqual?: unknown };
  if (isRegex === undefined && isEqual === undefined) return input;
  const negative = isEqual === false;
  return { ...rest, op: isRegex === true ? (negative ? "!~" : "=~") : negative ? "!=" : "=" };
}

export const LabelNameSchema = labelName;
export const LabelsSchema = z.record(labelName, z.string().max(1000));

/** Why `source` cannot be a matcher regex, or undefined when it can. */
export function regexProblem(source: string): string | undefined {
  if (source.length > MAX_REGEX_LENGTH)
    return `regular expression longer than ${MAX_REGEX_LENGTH} characters`;
  try {
    RE2JS.compile(`^(?:${source})$`);
    return undefined;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return `not a supported regular expression (RE2 syntax: no backreferences or lookaround): ${detail}`;
  }
}

const compiled = new Map<string, RE2JS | null>();
/**
 * Compiled once per pattern (null: not RE2, e.g. stored before RE2 was enforced); the cache
 * is cleared wholesale past 10,000 patterns.
 */
function anchored(source: string): RE2JS | null {
  let re = compiled.get(source);
  if (re === undefined) {
    re = regexProblem(source) ? null : RE2JS.compile(`^(?:${source})$`);
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(source, re);
  }
  return re;
}

/**
 * Whether the whole of `value` matches `source`, in time linear in both. A pattern that
 * regexProblem refuses, or a value past MAX_MATCHED_VALUE_LENGTH, never matches.
 */
export function regexMatches(source: string, value: string): boolean {
  if (value.length > MAX_MATCHED_VALUE_LENGTH) return false;
  return anchored(source)?.matches(value) ?? false;
}

/** True when one matcher accepts the labels; a missing label reads as "". */
export function matchOne(matcher: Matcher, labels: Labels): boolean {
  const value = labels[matcher.name] ?? "";
  switch (matcher.op) {
    case "=":
      return value === matcher.value;
    case "!=":
      return value !== matcher.value;
    case "=~":
      return regexMatches(matcher.value, value);
    case "!~":
      return !regexMatches(matcher.value, value);
  }
}

/** True when every matcher accepts the labels (an empty list matches everything). */
export function matchAll(matchers: ReadonlyArray<Matcher>, labels: Labels): boolean {
  return matchers.every((m) => matchOne(m, labels));
}

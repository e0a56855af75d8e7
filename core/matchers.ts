import { z } from "zod";
import type { Labels } from "./fingerprint.ts";

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
  .refine((m) => !m.op.includes("~") || isValidRegex(m.value), {
    message: "not a valid regular expression",
    path: ["value"],
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

function isValidRegex(source: string): boolean {
  try {
    new RegExp(`^(?:${source})$`);
    return true;
  } catch {
    return false;
  }
}

const compiled = new Map<string, RegExp>();
function anchored(source: string): RegExp {
  let re = compiled.get(source);
  if (!re) {
    re = new RegExp(`^(?:${source})$`);
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(source, re);
  }
  return re;
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
      return anchored(matcher.value).test(value);
    case "!~":
      return !anchored(matcher.value).test(value);
  }
}

/** True when every matcher accepts the labels (an empty list matches everything). */
export function matchAll(matchers: ReadonlyArray<Matcher>, labels: Labels): boolean {
  return matchers.every((m) => matchOne(m, labels));
}

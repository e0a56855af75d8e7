import type { z } from "zod";
import { AppError } from "./app-error.ts";
import { findUnsafeText } from "./safe-text.ts";

/** Formats a zod issue path as `items[3].histogram` so a message names the exact field. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** Bad fields named in one message; past these the message says how many more there are. */
const MAX_NAMED_ISSUES = 3;

/** One issue as `body.items[3].count: Expected number, received string`. */
function describeIssue(issue: z.core.$ZodIssue, where: string): string {
  const path = formatPath(issue.path);
  if (issue.code === "unrecognized_keys") {
    // Named as the field itself, so a misspelt `rateScal` reads like any other bad field.
    const key = formatPath([...issue.path, issue.keys[0] ?? "?"]);
    const more = issue.keys.length > 1 ? ` (and ${issue.keys.slice(1).join(", ")})` : "";
    return `${where}.${key}: unknown field${more}; check its spelling`;
  }
  // zod words a missing field as "Invalid input: expected string, received undefined".
  const missing =
    issue.code === "invalid_type" && / received undefined$/.test(issue.message)
      ? `required (${/^[aeiou]/.test(issue.expected) ? "an" : "a"} ${issue.expected})`
      : undefined;
  return `${where}${path ? `.${path}` : ""}: ${missing ?? issue.message}`;
}

/**
 * One line naming the bad fields, so a form can be fixed in one go: `body.name: Too small…;
 * body.threshold: Expected number, received string`. At most three, then "(and N more)".
 */
export function describeZodError(error: z.ZodError, where: string): string {
  const issues = error.issues;
  if (issues.length === 0) return `${where}: invalid`;
  const named = issues.slice(0, MAX_NAMED_ISSUES).map((issue) => describeIssue(issue, where));
  const more = issues.length - named.length;
  return `${named.join("; ")}${more > 0 ? ` (and ${more} more)` : ""}`;
}

/**
 * Parses `data` or throws AppError 400 naming the field (`where` is "body", "query" or "params").
 * Any string holding NUL or a lone surrogate is refused first, whatever the schema says: no
 * column or bound parameter can hold it, so it would otherwise surface as a 500.
 */
export function parseOr400<S extends z.ZodType>(schema: S, data: unknown, where: string): z.infer<S> {
  const unsafe = findUnsafeText(data);
  if (unsafe) {
    const path = formatPath(unsafe.path);
    throw new AppError("bad_request", `${where}${path ? `.${path}` : ""}: ${unsafe.reason}`);
  }
  const result = schema.safeParse(data);
  if (!result.success) throw new AppError("bad_request", describeZodError(result.error, where));
  return result.data;
}

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

/** One line naming the first bad field: `body.items[3].count: Expected number, received string`. */
export function describeZodError(error: z.ZodError, where: string): string {
  const issue = error.issues[0];
  if (!issue) return `${where}: invalid`;
  const path = formatPath(issue.path);
  if (issue.code === "unrecognized_keys") {
    // Named as the field itself, so a misspelt `rateScal` reads like any other bad field.
    const key = formatPath([...issue.path, issue.keys[0] ?? "?"]);
    const more = issue.keys.length > 1 ? ` (and ${issue.keys.slice(1).join(", ")})` : "";
    return `${where}.${key}: unknown field${more}; check its spelling`;
  }
  return `${where}${path ? `.${path}` : ""}: ${issue.message}`;
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

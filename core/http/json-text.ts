import { AppError } from "./app-error.ts";

/** Deeper than any body our APIs take; a 1 MiB body of brackets is 500,000 levels. */
export const MAX_JSON_DEPTH = 64;

/**
 * How deeply `text` nests arrays and objects, counting up to `limit + 1` (strings skipped).
 * One linear pass without allocating, so a hostile body is refused before JSON.parse builds it.
 */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** Parses a JSON request body; throws AppError 400 for malformed or too deeply nested JSON. */
export function parseJsonBody(text: string): unknown {
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
    throw new AppError("bad_request", `body: JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AppError("bad_request", "body: not valid JSON", { cause: error });
  }
}

import { AppError } from "./app-error.ts";

/** Deeper than any body our APIs take; a 1 MiB body of brackets is 500,000 levels. */
export const MAX_JSON_DEPTH = 64;

/**
 * How deeply `text` nests arrays and objects, counting up to `limit + 1` (strings skipped).
 * One linear pass without allocating, so a hostile body is refused before JSON.parse builds it.
 */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string: jump to the quote that closes it (one preceded by an even run of backslashes),
      // found natively; bodies are mostly long strings (encoded histograms).
      for (let from = i + 1; ; ) {
        const quote = text.indexOf('"', from);
        if (quote === -1) return false;
        let slash = quote - 1;
        while (slash > i && text.charCodeAt(slash) === 0x5c) slash--;
        if ((quote - 1 - slash) % 2 === 0) {
          i = quote;
          break;
        }
        from = quote + 1;
      }
    } else if (c === 0x5b || c === 0x7b) {
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

/**
 * A small JSON path: `items[0].id`, `$.items[0].id`, `customer.email`, `messages[-1]` (last item).
 * Enough for probe assertions and captures; no filters or wildcards.
 */

export type PathResult = { found: true; value: unknown } | { found: false };

/** Splits a path into keys and indexes; throws on a malformed path. */
export function parsePath(path: string): Array<string | number> {
  const source = path.startsWith("$") ? path.slice(1) : path;
  const parts: Array<string | number> = [];
  const token = /\.?([^.[\]]+)|\[(-?\d+)\]|\["([^"]*)"\]/y;
  let at = 0;
  while (at < source.length) {
    token.lastIndex = at;
    const match = token.exec(source);
    if (!match) throw new Error(`malformed JSON path "${path}" at position ${at}`);
    if (match[1] !== undefined) parts.push(match[1]);
    else if (match[2] !== undefined) parts.push(Number(match[2]));
    else parts.push(match[3]!);
    at = token.lastIndex;
  }
  return parts;
}

/** Looks `path` up in `value`; `found: false` when any step is missing. */
export function lookup(value: unknown, path: string): PathResult {
  let current: unknown = value;
  for (const part of parsePath(path)) {
    if (typeof part === "number") {
      if (!Array.isArray(current)) return { found: false };
      const index = part < 0 ? current.length + part : part;
      if (index < 0 || index >= current.length) return { found: false };
      current = current[index];
    } else {
      if (current === null || typeof current !== "object" || !Object.hasOwn(current, part))
        return { found: false };
      current = (current as Record<string, unknown>)[part];
    }
  }
  return { found: true, value: current };
}

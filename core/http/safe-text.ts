/**
 * Text a database can store and every client can render: no NUL (Postgres `text` and bound
 * parameters refuse U+0000 with an error, not a 400) and no lone UTF-16 surrogate (`jsonb`
 * and UTF-8 encoders refuse those). One rule, shared by the hub and the shop.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `text` cannot be stored ("contains NUL …"), or undefined when it can. */
export function unsafeTextReason(text: string): string | undefined {
  if (text.includes("\u0000")) return "contains a NUL character (\\u0000)";
  if (LONE_SURROGATE.test(text)) return "contains a lone UTF-16 surrogate (not valid Unicode)";
  return undefined;
}

interface Visit {
  value: unknown;
  key: string | number | undefined;
  parent: Visit | undefined;
}

function pathOf(visit: Visit): Array<string | number> {
  const path: Array<string | number> = [];
  for (let v: Visit | undefined = visit; v?.key !== undefined; v = v.parent) path.unshift(v.key);
  return path;
}

/**
 * The first unsafe string in a parsed JSON value (object keys included), as `{path, reason}`.
 * Iterative, so a deeply nested body cannot overflow the stack; paths are built only on a hit.
 */
export function findUnsafeText(value: unknown): { path: Array<string | number>; reason: string } | undefined {
  const stack: Visit[] = [{ value, key: undefined, parent: undefined }];
  while (stack.length > 0) {
    const visit = stack.pop()!;
    const v = visit.value;
    if (typeof v === "string") {
      const reason = unsafeTextReason(v);
      if (reason) return { path: pathOf(visit), reason };
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], key: i, parent: visit });
    } else if (v && typeof v === "object") {
      for (const key of Object.keys(v)) {
        const child: Visit = { value: (v as Record<string, unknown>)[key], key, parent: visit };
        const reason = unsafeTextReason(key);
        if (reason) return { path: pathOf(child), reason: `key ${reason}` };
        stack.push(child);
      }
    }
  }
  return undefined;
}

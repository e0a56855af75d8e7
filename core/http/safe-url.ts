import type { MiddlewareHandler } from "hono";
import { AppError } from "./app-error.ts";
import { unsafeTextReason } from "./safe-text.ts";

/**
 * Refuses a request whose path or query cannot be decoded or holds text no column can store
 * (NUL, lone surrogates), with a 400 naming `path` or `query.<name>`. Route handlers and SQL
 * parameters downstream then only ever see decodable, storable text.
 */
export function rejectUnsafeUrls(): MiddlewareHandler {
  return async (c, next) => {
    const url = new URL(c.req.url);
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch (error) {
      throw new AppError("bad_request", "path: malformed percent-encoding", { cause: error });
    }
    const pathProblem = unsafeTextReason(path);
    if (pathProblem) throw new AppError("bad_request", `path: ${pathProblem}`);
    for (const [name, value] of url.searchParams) {
      const problem = unsafeTextReason(name) ?? unsafeTextReason(value);
      if (problem) throw new AppError("bad_request", `query.${name.replace(/\0/g, "\\0")}: ${problem}`);
    }
    await next();
  };
}

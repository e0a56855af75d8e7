import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { AppError } from "../../core/http/app-error.ts";
import type { HubEnv } from "./env.ts";

/**
 * Refuses bodies over `maxBytes` with a 413: at once when Content-Length says so, else as
 * soon as the streamed body passes it, so nothing larger is ever buffered (Go's
 * MaxBytesReader). Paths under `exempt` set their own limit (ingest takes bigger batches).
 */
export function hubBodyLimit(maxBytes: number, exempt: ReadonlyArray<string>): MiddlewareHandler<HubEnv> {
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      // Closing lets a client still uploading read the 413 instead of a reset on a reused socket.
      throw new AppError("payload_too_large", `body: larger than ${maxBytes} bytes`, {
        headers: { connection: "close" },
      });
    },
  });
  return async (c, next) => {
    if (exempt.some((prefix) => c.req.path.startsWith(prefix))) return next();
    return limit(c, next);
  };
}

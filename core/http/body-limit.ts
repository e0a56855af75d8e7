import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { AppError } from "./app-error.ts";

/**
 * Refuses bodies over `maxBytes` with a 413 (`payload_too_large`, connection closed): at once
 * when Content-Length says so, else as soon as the streamed body passes it, so nothing larger
 * is ever buffered (Go's MaxBytesReader).
 *
 * Hono's bodyLimit asks `c.req.raw.body` first, which turns @hono/node-server's lightweight
 * request into a full web Request (AbortSignal, Headers, a ReadableStream over the socket) on
 * every request, GETs included, and the handler's `c.req.text()` then reads through that
 * stream. Here GET and HEAD pass untouched (the adapter gives them no body) and a declared
 * length is checked from the header; only a chunked upload goes through Hono's streaming check.
 */
export function limitBody(maxBytes: number): MiddlewareHandler {
  const tooLarge = () => {
    // Closing lets a client still uploading read the 413 instead of a reset on a reused socket.
    throw new AppError("payload_too_large", `body: larger than ${maxBytes} bytes`, {
      headers: { connection: "close" },
    });
  };
  const streaming = bodyLimit({ maxSize: maxBytes, onError: tooLarge });
  return async (c, next) => {
    const method = c.req.method;
    if (method === "GET" || method === "HEAD") return next();
    const length = c.req.header("content-length");
    if (length === undefined || c.req.header("transfer-encoding") !== undefined) return streaming(c, next);
    if (Number.parseInt(length, 10) > maxBytes) tooLarge();
    return next();
  };
}

import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { AppError } from "./app-error.ts";

/**
 * Refuses bodies over `maxBytes` with a 413 (`payload_too_large`, connection closed): at once
 * when Content-Length says so, else as soon as the streamed body passes it, so nothing larger
 * is ever buffered (Go's MaxBytesReader).
 *
 * GET and HEAD are checked from their headers alone: no route reads their body, but Node's
 * server would read (and discard) whatever follows before the connection could serve the next
 * request, so a GET declaring gigabytes, or streaming chunks without end, held a connection and
 * the bandwidth. A declared length over the limit, or any chunked body (its size is unknown
 * until read), is refused before a byte of it is read. A small declared body passes, as before.
 *
 * Hono's bodyLimit asks `c.req.raw.body` first, which turns @hono/node-server's lightweight
 * request into a full web Request (AbortSignal, Headers, a ReadableStream over the socket) on
 * every request, GETs included, and the handler's `c.req.text()` then reads through that
 * stream. Here a declared length is checked from the header; only a chunked upload goes through
 * Hono's streaming check. `hint` is appended to the 413's message ("send smaller batches").
 */
export function limitBody(maxBytes: number, options: { hint?: string } = {}): MiddlewareHandler {
  const refuse = (message: string) => {
    // Closing lets a client still uploading read the 413 instead of a reset on a reused socket.
    throw new AppError("payload_too_large", message, { headers: { connection: "close" } });
  };
  const tooLarge = () =>
    refuse(`body: larger than ${maxBytes} bytes${options.hint ? `; ${options.hint}` : ""}`);
  const streaming = bodyLimit({ maxSize: maxBytes, onError: tooLarge });
  return async (c, next) => {
    const method = c.req.method;
    const length = c.req.header("content-length");
    const chunked = c.req.header("transfer-encoding") !== undefined;
    if (method === "GET" || method === "HEAD") {
      if (chunked)
        refuse(
          `body: a ${method} request's body is not read; a chunked one is refused (at most ${maxBytes} bytes, declared by Content-Length)`,
        );
      if (length !== undefined && Number.parseInt(length, 10) > maxBytes) tooLarge();
      return next();
    }
    if (length === undefined || chunked) return streaming(c, next);
    if (Number.parseInt(length, 10) > maxBytes) tooLarge();
    return next();
  };
}

import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { AppError } from "../../core/http/app-error.ts";
import { loggable } from "../../db/loggable-error.ts";

/**
 * A client error whose code is the shop's own (`payment_failed`, `injected_fault`), beside
 * the shared AppError codes. Rendered by the same onError.
 */
export class ShopError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ShopError";
  }
}

/** The app's single error renderer: `{code, message, requestId}`, never a stack trace. */
export function renderError(error: Error, c: Context): Response {
  const requestId = c.get("requestId") as string | undefined;
  if (error instanceof AppError || error instanceof ShopError) {
    return c.json(
      { code: error.code, message: error.message, requestId },
      error.status as 400,
      error.headers,
    );
  }
  if (error instanceof HTTPException) {
    const code =
      error.status === 413 ? "payload_too_large" : error.status === 404 ? "not_found" : "bad_request";
    return c.json({ code, message: error.message || code, requestId }, error.status);
  }
  console.error(
    `shop: unhandled error in ${c.req.method} ${c.req.path} (request ${requestId})`,
    loggable(error),
  );
  return c.json({ code: "internal", message: "internal error", requestId }, 500);
}

import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { AppError, type ErrorBody } from "../../core/http/app-error.ts";
import { loggable } from "../../db/loggable-error.ts";
import type { HubEnv } from "./env.ts";

/**
 * The hub's single error renderer: AppError as `{code, message, requestId}` with its status;
 * anything else is logged and becomes a 500 that reveals nothing.
 */
export function renderError(error: Error, c: Context<HubEnv>): Response {
  const requestId = c.get("requestId");
  if (error instanceof AppError) {
    const body: ErrorBody = { code: error.code, message: error.message, requestId };
    return c.json(body, error.status as 400, error.headers);
  }
  if (error instanceof HTTPException && error.status < 500) {
    const body: ErrorBody = { code: "bad_request", message: error.message || "bad request", requestId };
    return c.json(body, error.status);
  }
  console.error(`hub: request ${requestId} failed:`, loggable(error));
  const body: ErrorBody = { code: "internal", message: "internal error", requestId };
  return c.json(body, 500);
}

/** 404 in the same shape as every other error. */
export function renderNotFound(c: Context<HubEnv>): Response {
  const body: ErrorBody = { code: "not_found", message: `no route ${c.req.method} ${c.req.path}` };
  body.requestId = c.get("requestId");
  return c.json(body, 404);
}

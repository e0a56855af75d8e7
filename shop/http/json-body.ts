import type { Context } from "hono";
import type { z } from "zod";
import { parseJsonBody } from "../../core/http/json-text.ts";
import { requireJsonContentType } from "../../core/http/json-type.ts";
import { parseOr400 } from "../../core/http/validate.ts";

/** Reads and validates a JSON body; 400 for malformed JSON or a bad field (named). */
export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  requireJsonContentType(c.req.header("content-type"));
  return parseOr400(schema, parseJsonBody(await c.req.text()), "body");
}

/** Like jsonBody, but an empty body counts as `{}`. */
export async function optionalJsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const text = await c.req.text();
  if (text.trim() === "") return parseOr400(schema, {}, "body");
  requireJsonContentType(c.req.header("content-type"));
  return parseOr400(schema, parseJsonBody(text), "body");
}

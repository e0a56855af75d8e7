import type { Context } from "hono";
import type { z } from "zod";
import { parseJsonBody } from "../../core/http/json-text.ts";
import { requireJsonContentType } from "../../core/http/json-type.ts";
import { parseOr400 } from "../../core/http/validate.ts";

/** Reads the JSON body and validates it; a 400 names the bad field, unparsable JSON says so. */
export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  requireJsonContentType(c.req.header("content-type"));
  return parseOr400(schema, parseJsonBody(await c.req.text()), "body");
}

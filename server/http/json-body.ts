import type { Context } from "hono";
import type { z } from "zod";
import { AppError } from "../../core/http/app-error.ts";
import { requireJsonContentType } from "../../core/http/json-type.ts";
import { parseOr400 } from "../../core/http/validate.ts";

/** Reads the JSON body and validates it; a 400 names the bad field, unparsable JSON says so. */
export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  requireJsonContentType(c.req.header("content-type"));
  let data: unknown;
  try {
    data = await c.req.json();
  } catch (error) {
    throw new AppError("bad_request", "body: not valid JSON", { cause: error });
  }
  return parseOr400(schema, data, "body");
}

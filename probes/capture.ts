import type { Capture } from "../core/probe.ts";
import { lookup } from "./json-path.ts";
import type { TimedResponse } from "./timed-request.ts";

export type CaptureResult = { ok: true; value: string } | { ok: false; message: string };

/** Takes one value out of a response for later flow steps. Pure. */
export function capture(
  definition: Capture,
  response: Pick<TimedResponse, "body" | "headers">,
): CaptureResult {
  const fail = (why: string): CaptureResult => ({ ok: false, message: `capture ${definition.name}: ${why}` });
  let selected: string;
  if (definition.from === "json") {
    let document: unknown;
    try {
      document = JSON.parse(response.body);
    } catch {
      return fail("the body is not JSON");
    }
    let found: ReturnType<typeof lookup>;
    try {
      found = lookup(document, definition.path ?? "$");
    } catch (error) {
      return fail((error as Error).message);
    }
    if (!found.found) return fail(`JSON path ${definition.path} is missing`);
    selected = typeof found.value === "string" ? found.value : JSON.stringify(found.value);
  } else if (definition.from === "header") {
    const value = response.headers[(definition.path ?? "").toLowerCase()];
    if (value === undefined) return fail(`header ${definition.path} is missing`);
    selected = value;
  } else selected = response.body;
  if (definition.regex === undefined) return { ok: true, value: selected };
  const match = new RegExp(definition.regex).exec(selected);
  if (!match) return fail(`/${definition.regex}/ did not match`);
  return { ok: true, value: match[1] ?? match[0] };
}

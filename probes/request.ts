import type { Assertion, HttpProbe } from "../core/probe.ts";
import { type AssertionResult, evaluateAll, type Observation } from "./assertions.ts";
import { render, renderDeep, type TemplateContext } from "./template.ts";
import type { TimedResponse } from "./timed-request.ts";

/** The request fields shared by an http probe and a flow step. */
export type RequestDefinition = Pick<HttpProbe, "method" | "url" | "headers" | "body">;

export interface RenderedRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/**
 * Renders templates in a request definition. A body that is not a string goes out as JSON.
 * Throws (naming the field) on an unresolved template or a URL that is not http(s).
 */
export function renderRequest(definition: RequestDefinition, context: TemplateContext): RenderedRequest {
  const urlText = render(definition.url, context);
  let url: URL;
  try {
    url = new URL(urlText);
  } catch {
    throw new Error(`url: not a valid URL: ${JSON.stringify(urlText)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error(`url: must be http or https`);
  const headers: Record<string, string> = { "user-agent": "peakwatch-probe/1" };
  for (const [name, value] of Object.entries(definition.headers))
    headers[name.toLowerCase()] = render(value, context);
  let body: string | undefined;
  if (typeof definition.body === "string") body = render(definition.body, context);
  else if (definition.body !== undefined) {
    body = JSON.stringify(renderDeep(definition.body, context));
    headers["content-type"] ??= "application/json";
  }
  return { url, method: definition.method, headers, body };
}

/**
 * Evaluates a check's assertions. Without a status assertion a check passes only on 2xx and 3xx,
 * like blackbox_exporter's default. Pure.
 */
export function verdict(assertions: ReadonlyArray<Assertion>, observation: Observation): AssertionResult {
  const status = observation.status ?? 0;
  if (!assertions.some((a) => a.type === "status") && (status < 200 || status > 399))
    return { ok: false, message: `expected a 2xx or 3xx status, got ${observation.status ?? "no response"}` };
  return evaluateAll(assertions, observation);
}

/** What the assertions see of a response. */
export function observe(response: TimedResponse, durationMs: number, now: number): Observation {
  return {
    status: response.status,
    headers: response.headers,
    body: response.body,
    durationMs,
    certValidTo: response.certValidTo,
    now,
  };
}

import { assertionCause, type Failure, httpCause } from "../../core/error-causes.ts";
import { LOAD_GENERATOR_HEADER } from "../../core/shop-api.ts";
import { type Clock, sleep } from "../clock.ts";
import type { HttpClient } from "../http-client.ts";
import type { VirtualUser } from "../virtual-user.ts";
import type { WindowAggregator } from "../window-aggregator.ts";
import type { KnownProducts } from "./known-products.ts";

/** What every journey of a run shares. */
export interface JourneyContext {
  http: HttpClient;
  aggregator: WindowAggregator;
  clock: Clock;
  timeoutMs: number;
  /** Aborts think time when the run stops. */
  signal: AbortSignal;
  /** Header value for the shop's /__test/* hooks (OTP codes from the capture mailbox). */
  testHooksToken: string | undefined;
  catalog: KnownProducts;
}

export interface StepRequest {
  method?: string;
  path: string;
  json?: unknown;
  headers?: Record<string, string>;
  /** Statuses that count as success (default 200). */
  expect?: ReadonlyArray<number>;
  /** Keep the body (journeys reading ids or codes from it). */
  read?: boolean;
}

export interface StepResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface ThinkTime {
  min: number;
  max: number;
}

/**
 * One journey of one virtual user. Each request's latency is measured from its intended
 * start: the arrival's scheduled time for the first, the end of the previous step plus think
 * time after that, so waiting for a connection shows up in the percentiles.
 */
export class JourneySession {
  /** Why the step that ended the journey failed, if one did. */
  failure: Failure | undefined;
  /** The run stopped under this journey: its cut-off request is not counted, nor is the journey. */
  cancelled = false;
  private intended: number;
  /**
   * The last successful response, recorded only once the journey moves on: a check of its body
   * (fail()) may still turn it into a failed request of its own step.
   */
  private pending:
    | { step: string; endAt: number; latency: number; service: number | undefined; bytes: number }
    | undefined;

  constructor(
    readonly vu: VirtualUser,
    readonly ctx: JourneyContext,
    readonly arrivalMs: number,
    private readonly thinkTime: ThinkTime | undefined,
  ) {
    this.intended = arrivalMs;
  }

  /** Sends one step and records it; resolves undefined (journey should stop) when it failed. */
  async request(step: string, req: StepRequest): Promise<StepResponse | undefined> {
    this.commit(undefined);
    if (this.failure || this.ctx.signal.aborted) return undefined;
    const { http, aggregator, timeoutMs } = this.ctx;
    const headers: Record<string, string> = { "x-forwarded-for": this.vu.address, ...req.headers };
    // The stack's own shop lets its load generator name each shopper's address (see the shop's
    // load-generator.ts); the token only goes to that shop (main.ts decides).
    if (this.ctx.testHooksToken) headers[LOAD_GENERATOR_HEADER] = this.ctx.testHooksToken;
    const cookie = this.vu.cookies.header();
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (req.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(req.json);
    }
    const r = await http.send({
      method: req.method ?? "GET",
      path: req.path,
      headers,
      body,
      readBody: req.read ?? false,
      timeoutMs,
    });
    if (r.cancelled) {
      this.cancelled = true;
      return undefined;
    }
    this.vu.cookies.store(r.setCookie);
    const failure = r.failure ?? classifyStatus(r.status, req.expect ?? [200], r.body);
    const latency = (r.endAt - this.intended) * 1000;
    const service = r.sentAt === undefined ? undefined : (r.endAt - r.sentAt) * 1000;
    this.intended = r.endAt;
    if (failure) {
      aggregator.request(step, r.endAt, latency, service, r.bytes, failure);
      this.failure = failure;
      return undefined;
    }
    this.pending = { step, endAt: r.endAt, latency, service, bytes: r.bytes };
    return r;
  }

  /**
   * Marks the journey failed on a response that had the right status but the wrong content:
   * that request counts as failed under `assertion:<name>`.
   */
  fail(name: string, message?: string): undefined {
    const failure: Failure = {
      cause: assertionCause(name),
      message: message ?? `assertion "${name}" failed`,
    };
    if (!this.commit(failure)) this.failure ??= failure;
    return undefined;
  }

  /** Records the pending response (as `failure` when given); false when none was pending. */
  private commit(failure: Failure | undefined): boolean {
    const p = this.pending;
    if (!p) return false;
    this.pending = undefined;
    this.ctx.aggregator.request(p.step, p.endAt, p.latency, p.service, p.bytes, failure);
    if (failure) this.failure ??= failure;
    return true;
  }

  /** Ends the journey: records the last response. Call once, after the journey's last step. */
  finish(): void {
    this.commit(undefined);
  }

  /** Pauses like a shopper between clicks; the next step's intended start moves with it. */
  async think(): Promise<void> {
    const t = this.thinkTime;
    this.commit(undefined);
    if (!t || t.max <= 0) return;
    const ms = (t.min + Math.random() * (t.max - t.min)) * 1000;
    await sleep(ms, this.ctx.signal);
    this.intended = this.ctx.clock.now();
  }
}

/**
 * Why a response failed by its status, or undefined when the status is expected: 4xx and 5xx
 * are `http_<status>` with what the answer said (its JSON `message`/`error`, or its first line
 * of text); any other unexpected status fails the `expect_status` assertion.
 */
export function classifyStatus(
  status: number,
  expect: ReadonlyArray<number>,
  body = "",
): Failure | undefined {
  if (expect.includes(status)) return undefined;
  if (status >= 400) {
    const said = answerMessage(body);
    return { cause: httpCause(status), message: said ? `HTTP ${status}: ${said}` : `HTTP ${status}` };
  }
  return {
    cause: assertionCause("expect_status"),
    message: `status ${status}, expected ${expect.join(" or ")}`,
  };
}

/** What an error answer says of itself, printable and at most 120 characters; undefined if nothing. */
export function answerMessage(body: string): string | undefined {
  const json = parseJson<{ message?: unknown; error?: unknown }>(body);
  const start = body.trimStart()[0];
  const said =
    json && typeof json === "object"
      ? [json.message, json.error].find((v): v is string => typeof v === "string")
      : start === "{"
        ? jsonStringField(body)
        : start === "<"
          ? undefined
          : body.split("\n", 1)[0];
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes
  const text = said?.replace(/[\u0000-\u001f\u007f]/g, " ").trim();
  if (!text) return undefined;
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}

/** `message` (or `error`) of a JSON object cut off after its first bytes, when it is complete there. */
function jsonStringField(prefix: string): string | undefined {
  const match = /"(?:message|error)"\s*:\s*("(?:[^"\\]|\\.){0,300}")/.exec(prefix);
  return match ? parseJson<string>(match[1]!) : undefined;
}

/** Parses a JSON body, undefined when it is not JSON. */
export function parseJson<T>(body: string): T | undefined {
  try {
    return JSON.parse(body) as T;
  } catch {
    return undefined;
  }
}

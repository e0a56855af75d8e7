import type { ErrorClass } from "../../core/window.ts";
import { type Clock, sleep } from "../clock.ts";
import type { HttpClient } from "../http-client.ts";
import type { VirtualUser } from "../virtual-user.ts";
import type { WindowAggregator } from "../window-aggregator.ts";

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
  catalog: CatalogCache;
}

/** Product ids seen in listings, shared by all virtual users of a run (bounded). */
export class CatalogCache {
  readonly ids: string[] = [];
  totalPages = 1;

  remember(ids: ReadonlyArray<string>): void {
    for (const id of ids) if (this.ids.length < 500 && !this.ids.includes(id)) this.ids.push(id);
  }

  pick(): string | undefined {
    return this.ids[Math.floor(Math.random() * this.ids.length)];
  }
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
  /** The error class of the step that ended the journey, if one failed. */
  failure: ErrorClass | undefined;
  /** The run stopped under this journey: its cut-off request is not counted, nor is the journey. */
  cancelled = false;
  private intended: number;

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
    if (this.failure || this.ctx.signal.aborted) return undefined;
    const { http, aggregator, timeoutMs } = this.ctx;
    const headers: Record<string, string> = { "x-forwarded-for": this.vu.address, ...req.headers };
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
    this.vu.cookies.store(r.headers["set-cookie"]);
    const error = r.error ?? classifyStatus(r.status, req.expect ?? [200]);
    aggregator.request(
      step,
      r.endAt,
      (r.endAt - this.intended) * 1000,
      r.sentAt === undefined ? undefined : (r.endAt - r.sentAt) * 1000,
      r.bytes,
      error,
    );
    this.intended = r.endAt;
    if (error) {
      this.failure = error;
      return undefined;
    }
    return { status: r.status, headers: r.headers, body: r.body };
  }

  /** Marks the journey failed on a response that had the right status but the wrong content. */
  fail(): undefined {
    this.failure ??= "assertion";
    return undefined;
  }

  /** Pauses like a shopper between clicks; the next step's intended start moves with it. */
  async think(): Promise<void> {
    const t = this.thinkTime;
    if (!t || t.max <= 0) return;
    const ms = (t.min + Math.random() * (t.max - t.min)) * 1000;
    await sleep(ms, this.ctx.signal);
    this.intended = this.ctx.clock.now();
  }
}

/** Error class of an HTTP status, or undefined when it is one of the expected ones. */
export function classifyStatus(status: number, expect: ReadonlyArray<number>): ErrorClass | undefined {
  if (expect.includes(status)) return undefined;
  if (status >= 500) return "http5xx";
  if (status >= 400) return "http4xx";
  return "assertion";
}

/** Parses a JSON body, undefined when it is not JSON. */
export function parseJson<T>(body: string): T | undefined {
  try {
    return JSON.parse(body) as T;
  } catch {
    return undefined;
  }
}

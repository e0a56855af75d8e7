import { assertionCause, type Failure } from "../../core/error-causes.ts";
import type { RequestStep } from "../../core/profile.ts";
import { LOAD_GENERATOR_HEADER } from "../../core/shop-api.ts";
import type { SendOptions, SendResult } from "../http-client.ts";
import type { VirtualUser } from "../virtual-user.ts";
import { classifyStatus, type JourneyContext, type ThinkTime } from "./session.ts";

/** A profile's request step with everything that is the same for every request made ready once. */
interface PreparedStep {
  name: string;
  method: string;
  path: string;
  /** The step's headers (and the shop's load-generator token) as a flat [name, value, …] list. */
  fixed: string[];
  /** The step's own X-Forwarded-For, which replaces the user's synthetic address. */
  forwardedFor: string | undefined;
  /** The step's own Cookie, sent when the user's jar is empty. */
  cookie: string | undefined;
  body: Buffer | undefined;
  expect: ReadonlyArray<number>;
}

/** A journey of plain request steps, prepared for StepFlow. */
export interface StepsJourney {
  steps: ReadonlyArray<PreparedStep>;
  thinkTime: ThinkTime | undefined;
}

/**
 * Prepares request steps for StepFlow. The headers sent are those JourneySession.request sends:
 * the user's address as X-Forwarded-For unless the step names one, the step's headers, the
 * load-generator token, the user's cookies (else the step's Cookie), and JSON's content type.
 */
export function prepareSteps(
  steps: ReadonlyArray<RequestStep>,
  thinkTime: ThinkTime | undefined,
  testHooksToken: string | undefined,
): StepsJourney {
  return {
    thinkTime,
    steps: steps.map((step) => {
      const headers = step.headers ?? {};
      const hasBody = step.body !== undefined;
      const fixed: string[] = [];
      for (const [name, value] of Object.entries(headers)) {
        if (name === "x-forwarded-for" || name === "cookie") continue;
        if (name === LOAD_GENERATOR_HEADER && testHooksToken) continue;
        if (name === "content-type" && hasBody) continue;
        fixed.push(name, value);
      }
      if (testHooksToken) fixed.push(LOAD_GENERATOR_HEADER, testHooksToken);
      if (hasBody) fixed.push("content-type", "application/json");
      return {
        name: step.name,
        method: step.method ?? "GET",
        path: step.path,
        fixed,
        forwardedFor: headers["x-forwarded-for"],
        cookie: headers.cookie,
        body: hasBody ? Buffer.from(JSON.stringify(step.body)) : undefined,
        expect: step.expectStatus ?? [200],
      };
    }),
  };
}

/**
 * One virtual user's journey of plain request steps, run on callbacks: no promise or async
 * frame per step, and its request options, header list and callbacks are made once per flow
 * and reused by every journey it runs. Records exactly what JourneySession does for the same
 * steps (latency from each step's intended start, service from its send, cookies kept), and
 * tells `ended` once when the journey is over. Never throws into the HTTP client.
 */
export class StepFlow {
  vu!: VirtualUser;
  /** Latency of the whole journey runs from here (the arrival's scheduled time or its send). */
  arrivalMs = 0;
  /** When the journey ended (its last response, or the moment it stopped). */
  endMs = 0;
  failure: Failure | undefined;
  /** The run stopped under this journey: its cut-off request is not counted, nor is the journey. */
  cancelled = false;
  private journey!: StepsJourney;
  private index = 0;
  private intended = 0;
  private thinking: NodeJS.Timeout | undefined;
  private running = false;
  private readonly headers: string[] = [];
  private readonly options: SendOptions;
  private readonly received = (r: SendResult) => {
    try {
      this.onResult(r);
    } catch (error) {
      this.threw(error);
    }
  };
  private readonly thought = () => {
    this.thinking = undefined;
    this.intended = this.ctx.clock.now();
    this.send();
  };

  constructor(
    private readonly ctx: JourneyContext,
    private readonly ended: (flow: StepFlow) => void,
  ) {
    this.options = { method: "GET", path: "/", headers: this.headers, timeoutMs: ctx.timeoutMs };
  }

  /** Runs `journey` for `vu`; `ended` is called once it is over (possibly before this returns). */
  start(vu: VirtualUser, journey: StepsJourney, arrivalMs: number): void {
    this.vu = vu;
    this.journey = journey;
    this.arrivalMs = arrivalMs;
    this.intended = arrivalMs;
    this.index = 0;
    this.failure = undefined;
    this.cancelled = false;
    this.running = true;
    this.send();
  }

  /** Ends a journey that is thinking now (the run stopped); false when it was not. */
  stopThinking(): boolean {
    if (this.thinking === undefined) return false;
    clearTimeout(this.thinking);
    this.thinking = undefined;
    this.end(this.ctx.clock.now());
    return true;
  }

  private send(): void {
    if (this.ctx.signal.aborted) {
      this.end(this.ctx.clock.now());
      return;
    }
    const step = this.journey.steps[this.index]!;
    const headers = this.headers;
    headers.length = 0;
    headers.push("x-forwarded-for", step.forwardedFor ?? this.vu.address);
    for (let i = 0; i < step.fixed.length; i++) headers.push(step.fixed[i]!);
    const cookie = this.vu.cookies.header() ?? step.cookie;
    if (cookie !== undefined) headers.push("cookie", cookie);
    const options = this.options;
    options.method = step.method;
    options.path = step.path;
    options.body = step.body;
    this.ctx.http.dispatch(options, this.received);
  }

  private onResult(r: SendResult): void {
    if (r.cancelled) {
      this.cancelled = true;
      this.end(r.endAt);
      return;
    }
    const step = this.journey.steps[this.index]!;
    this.vu.cookies.store(r.setCookie);
    const failure = r.failure ?? classifyStatus(r.status, step.expect, r.body);
    const latency = (r.endAt - this.intended) * 1000;
    const service = r.sentAt === undefined ? undefined : (r.endAt - r.sentAt) * 1000;
    this.intended = r.endAt;
    this.ctx.aggregator.request(step.name, r.endAt, latency, service, r.bytes, failure);
    if (failure) this.failure = failure;
    if (failure || ++this.index >= this.journey.steps.length) {
      this.end(r.endAt);
      return;
    }
    const t = this.journey.thinkTime;
    // A stopped run thinks no more (its stop may have come while this response was on its way).
    if (!t || t.max <= 0 || this.ctx.signal.aborted) this.send();
    else this.thinking = setTimeout(this.thought, (t.min + Math.random() * (t.max - t.min)) * 1000);
  }

  private threw(error: unknown): void {
    this.failure ??= {
      cause: assertionCause("journey_threw"),
      message: error instanceof Error ? error.message : String(error),
    };
    this.end(this.ctx.clock.now());
  }

  private end(atMs: number): void {
    if (!this.running) return;
    this.running = false;
    this.endMs = atMs;
    this.ended(this);
  }
}

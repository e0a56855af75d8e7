import type { Dispatcher } from "undici";
import { transportCauseOf } from "../core/error-causes.ts";
import type { Clock } from "./clock.ts";
import type { SendOptions, SendResult } from "./http-client.ts";

/** Why our own deadline aborted a request (undici reports the reason back as the error). */
class DeadlineExceeded extends Error {
  constructor(
    readonly timeoutCause: "timeout_first_byte" | "timeout_total",
    message: string,
  ) {
    super(message);
  }
}

/**
 * undici's own header and body timeouts, a backstop only: they run on its coarse timers (a 0.5 s
 * tick), which fired a 300 ms timeout after up to 1 s. The client's sweep enforces the deadline.
 */
const UNDICI_BACKSTOP_MS = 1000;

/** How much of an error answer's body is kept (for its message) when the step does not read bodies. */
const ERROR_BODY_BYTES = 512;

/** `set-cookie` as undici hands raw header names over (bytes, any case). */
const SET_COOKIE = Buffer.from("set-cookie");

/** Response headers parsed from undici's raw [name, value, …] list only when a journey reads them. */
class Reply implements SendResult {
  private parsed: SendResult["headers"] | undefined;

  constructor(
    readonly status: number,
    private readonly raw: ReadonlyArray<Buffer | string> | null,
    readonly setCookie: string[] | undefined,
    readonly body: string,
    readonly bytes: number,
    readonly sentAt: number | undefined,
    readonly endAt: number,
    readonly failure?: SendResult["failure"],
    readonly cancelled?: boolean,
  ) {}

  get headers(): SendResult["headers"] {
    if (this.parsed) return this.parsed;
    const headers: SendResult["headers"] = {};
    const raw = this.raw ?? [];
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i]!.toString().toLowerCase();
      const value = raw[i + 1]!.toString();
      const had = headers[name];
      headers[name] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
    }
    this.parsed = headers;
    return headers;
  }
}

/** True when a raw header name is `set-cookie` in any case, compared without making a string. */
function isSetCookie(name: Buffer | string): boolean {
  if (name.length !== SET_COOKIE.length) return false;
  for (let i = 0; i < SET_COOKIE.length; i++) {
    const c = typeof name === "string" ? name.charCodeAt(i) : name[i]!;
    if ((c | 0x20) !== SET_COOKIE[i]) return false;
  }
  return true;
}

/** The client an exchange belongs to. */
export interface ExchangeOwner {
  /** Our own shutdown is under way: a request cut off now is not the target's failure. */
  readonly closing: boolean;
  /** Takes the exchange back (its request ended; its result not yet handed over). */
  release(exchange: Exchange): void;
  /** After a result was handed over (and whatever that started synchronously was dispatched). */
  settled(): void;
}

/**
 * One request in flight: undici's dispatch handler (its callback interface, which undici's own
 * request() uses, so no adapter or header parsing runs per response), taken from and returned to
 * its client's free list, so a request allocates no closures. Never throws: transport failures
 * come back as the result's `failure`.
 */
export class Exchange implements Dispatcher.DispatchHandler {
  /**
   * What undici is asked to send, rewritten for each request: undici copies it into its own
   * request when a connection takes it (and keeps it until then), and this exchange is not
   * reused before its request ended, so one object per exchange serves every request it carries.
   */
  readonly request: Dispatcher.DispatchOptions = {
    origin: undefined,
    method: "GET",
    path: "/",
    headers: undefined,
    body: undefined,
    headersTimeout: 0,
    bodyTimeout: 0,
  };
  private options!: SendOptions;
  private done!: (result: SendResult) => void;
  private sentAt: number | undefined;
  private status = 0;
  private raw: ReadonlyArray<Buffer | string> | null = null;
  private setCookie: string[] | undefined;
  private bytes = 0;
  private chunks: Buffer[] = [];
  private abort: ((error?: Error) => void) | undefined;
  /** Once written: the instant (epoch ms) by which the response must be complete; 0 otherwise. */
  deadline = 0;

  constructor(
    private readonly clock: Clock,
    private readonly owner: ExchangeOwner,
  ) {}

  /** Arms this exchange for one request; `done` is called exactly once. */
  start(options: SendOptions, done: (result: SendResult) => void): Dispatcher.DispatchOptions {
    const request = this.request;
    request.method = options.method as Dispatcher.HttpMethod;
    request.path = options.path;
    request.headers = options.headers;
    request.body = options.body;
    // 0: no timeout (undici's meaning of 0, kept).
    const backstop = options.timeoutMs > 0 ? options.timeoutMs + UNDICI_BACKSTOP_MS : 0;
    request.headersTimeout = backstop;
    request.bodyTimeout = backstop;
    this.options = options;
    this.done = done;
    this.sentAt = undefined;
    this.status = 0;
    this.raw = null;
    this.setCookie = undefined;
    this.bytes = 0;
    this.abort = undefined;
    this.deadline = 0;
    return request;
  }

  onConnect(abort: (error?: Error) => void): void {
    this.abort = abort;
    this.sentAt = this.clock.now();
    // One deadline from the send for the first byte and the whole body alike, enforced by the
    // client's sweep (a timer per request cost more than the rest of the exchange).
    this.deadline = this.options.timeoutMs > 0 ? this.sentAt + this.options.timeoutMs : 0;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    this.status = statusCode;
    this.raw = rawHeaders;
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
      if (!isSetCookie(rawHeaders[i]!)) continue;
      this.setCookie ??= [];
      this.setCookie.push(rawHeaders[i + 1]!.toString());
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    // An error answer's first bytes are kept whatever readBody says: they name its cause.
    if (this.options.readBody) this.chunks.push(chunk);
    else if (this.status >= 400 && this.bytes < ERROR_BODY_BYTES)
      this.chunks.push(chunk.subarray(0, ERROR_BODY_BYTES - this.bytes));
    this.bytes += chunk.length;
    return true;
  }

  onComplete(): void {
    const chunks = this.chunks;
    const body =
      chunks.length === 0
        ? ""
        : chunks.length === 1
          ? chunks[0]!.toString()
          : Buffer.concat(chunks).toString();
    chunks.length = 0;
    this.finish(
      new Reply(this.status, this.raw, this.setCookie, body, this.bytes, this.sentAt, this.clock.now()),
    );
  }

  onError(error: Error): void {
    this.chunks.length = 0;
    const endAt = this.clock.now();
    if (this.owner.closing) {
      this.finish(new Reply(0, null, undefined, "", this.bytes, this.sentAt, endAt, undefined, true));
      return;
    }
    const code = (error as { code?: string }).code;
    const cause =
      error instanceof DeadlineExceeded ? error.timeoutCause : transportCauseOf(code, error.message);
    const message = code ? `${code}: ${error.message}` : error.message;
    this.finish(new Reply(0, null, undefined, "", this.bytes, this.sentAt, endAt, { cause, message }));
  }

  /** Aborts the request when its deadline passed by `nowMs`; true when it did. */
  expire(nowMs: number): boolean {
    if (this.deadline === 0 || nowMs < this.deadline || !this.abort) return false;
    this.abort(
      this.status === 0
        ? new DeadlineExceeded("timeout_first_byte", `no response within ${this.options.timeoutMs} ms`)
        : new DeadlineExceeded("timeout_total", `no complete response within ${this.options.timeoutMs} ms`),
    );
    return true;
  }

  private finish(result: SendResult): void {
    const done = this.done;
    this.deadline = 0;
    this.abort = undefined;
    this.owner.release(this);
    done(result);
    this.owner.settled();
  }
}

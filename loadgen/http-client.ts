import { Pool } from "undici";
import { type Failure, transportCauseOf } from "../core/error-causes.ts";
import type { Clock } from "./clock.ts";

export interface SendOptions {
  method: string;
  /** Path and query, e.g. `/api/products?page=2`. */
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /**
   * Keep the body text (journeys that read values); otherwise only its size is counted, and of
   * an error answer (4xx/5xx) the first 512 bytes, for the failure's message.
   */
  readBody?: boolean;
  timeoutMs: number;
}

export interface SendResult {
  /** 0 when no response arrived (see `error`). */
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  bytes: number;
  /** When the request was written to a connection (undefined if it never was). */
  sentAt: number | undefined;
  endAt: number;
  /** Transport failure (refused, reset, timeout phase, DNS, TLS); HTTP statuses are classified by the caller. */
  failure?: Failure;
  /** Cut off by our own shutdown (close(true)): not the target's failure, so not counted. */
  cancelled?: boolean;
}

/** Why our own total deadline aborted a request (undici reports the reason back as the error). */
class TotalTimeout extends Error {
  readonly code = "PW_TOTAL_TIMEOUT";
}

/** How much of an error answer's body is kept (for its message) when the step does not read bodies. */
const ERROR_BODY_BYTES = 512;

/** Marks the warm-up requests, so a target (or its access log) can tell them from the run's. */
export const WARM_UP_HEADER = "x-peakwatch-warm-up";

/**
 * A bounded connection pool to one origin. Never throws: transport failures come back as
 * `error` so executors count them. `sentAt` is taken when undici writes the request to a
 * socket, so service time excludes waiting for a free connection.
 */
export class HttpClient {
  private readonly pool: Pool;
  private closing = false;

  constructor(
    origin: string,
    private readonly clock: Clock,
    connections: number,
    /** Longest wait for a TCP (and TLS) connection; undici's default is 10 s. */
    connectTimeoutMs = 10_000,
  ) {
    this.pool = new Pool(origin, {
      connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      connectTimeout: connectTimeoutMs,
    });
  }

  send(options: SendOptions): Promise<SendResult> {
    const clock = this.clock;
    return new Promise((resolve) => {
      let sentAt: number | undefined;
      let status = 0;
      let headers: SendResult["headers"] = {};
      let bytes = 0;
      let deadline: NodeJS.Timeout | undefined;
      const chunks: Buffer[] = [];
      this.pool.dispatch(
        {
          origin: undefined,
          method: options.method as "GET",
          path: options.path,
          headers: options.headers,
          body: options.body,
          headersTimeout: options.timeoutMs,
          bodyTimeout: options.timeoutMs,
        },
        {
          onRequestStart() {
            sentAt = clock.now();
          },
          onResponseStart(controller, statusCode, responseHeaders) {
            status = statusCode;
            headers = responseHeaders as SendResult["headers"];
            // headersTimeout bounds the first byte; the body gets what is left of the total.
            const left = options.timeoutMs - (clock.now() - (sentAt ?? clock.now()));
            deadline = setTimeout(
              () => controller.abort(new TotalTimeout(`no complete response within ${options.timeoutMs} ms`)),
              Math.max(1, left),
            );
          },
          onResponseData(_controller, chunk) {
            // An error answer's first bytes are kept whatever readBody says: they name its cause.
            if (options.readBody) chunks.push(chunk);
            else if (status >= 400 && bytes < ERROR_BODY_BYTES)
              chunks.push(chunk.subarray(0, ERROR_BODY_BYTES - bytes));
            bytes += chunk.length;
          },
          onResponseEnd() {
            clearTimeout(deadline);
            const body = options.readBody || status >= 400 ? Buffer.concat(chunks).toString("utf8") : "";
            resolve({ status, headers, body, bytes, sentAt, endAt: clock.now() });
          },
          onResponseError: (_controller, error) => {
            clearTimeout(deadline);
            if (this.closing) {
              resolve({
                status: 0,
                headers: {},
                body: "",
                bytes,
                sentAt,
                endAt: clock.now(),
                cancelled: true,
              });
              return;
            }
            const code = (error as { code?: string }).code;
            const cause =
              error instanceof TotalTimeout ? "timeout_total" : transportCauseOf(code, error.message);
            resolve({
              status: 0,
              headers: {},
              body: "",
              bytes,
              sentAt,
              endAt: clock.now(),
              failure: { cause, message: code ? `${code}: ${error.message}` : error.message },
            });
          },
        },
      );
    });
  }

  /**
   * Opens up to `connections` keep-alive connections before the run's first arrival, each
   * carrying one `GET path` (marked with WARM_UP_HEADER) whose answer, any status, is discarded, so the run's first
   * requests neither wait for a TCP handshake nor run through cold code. Returns how many
   * answered and how long it took; never throws.
   */
  async warm(
    connections: number,
    path: string,
    timeoutMs: number,
  ): Promise<{ answered: number; ms: number }> {
    const started = this.clock.now();
    const replies = await Promise.all(
      Array.from({ length: connections }, () =>
        this.send({ method: "GET", path, timeoutMs, headers: { [WARM_UP_HEADER]: "1" } }),
      ),
    );
    return { answered: replies.filter((r) => r.status > 0).length, ms: this.clock.now() - started };
  }

  /** Closes the pool; in-flight requests are aborted when `force` is set. */
  async close(force = false): Promise<void> {
    this.closing = true;
    if (force) await this.pool.destroy();
    else await this.pool.close();
  }
}

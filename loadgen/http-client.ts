import { Pool } from "undici";
import type { ErrorClass } from "../core/window.ts";
import type { Clock } from "./clock.ts";

export interface SendOptions {
  method: string;
  /** Path and query, e.g. `/api/products?page=2`. */
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Keep the body text (journeys that read values); otherwise only its size is counted. */
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
  /** Transport failure class; HTTP statuses are classified by the caller. */
  error?: Extract<ErrorClass, "connect" | "timeout">;
  errorMessage?: string;
  /** Cut off by our own shutdown (close(true)): not the target's failure, so not counted. */
  cancelled?: boolean;
}

const TIMEOUT_CODES = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

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
  ) {
    this.pool = new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 30_000 });
  }

  send(options: SendOptions): Promise<SendResult> {
    const clock = this.clock;
    return new Promise((resolve) => {
      let sentAt: number | undefined;
      let status = 0;
      let headers: SendResult["headers"] = {};
      let bytes = 0;
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
          onResponseStart(_controller, statusCode, responseHeaders) {
            status = statusCode;
            headers = responseHeaders as SendResult["headers"];
          },
          onResponseData(_controller, chunk) {
            bytes += chunk.length;
            if (options.readBody) chunks.push(chunk);
          },
          onResponseEnd() {
            const body = options.readBody ? Buffer.concat(chunks).toString("utf8") : "";
            resolve({ status, headers, body, bytes, sentAt, endAt: clock.now() });
          },
          onResponseError: (_controller, error) => {
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
            const code = (error as { code?: string }).code ?? "";
            resolve({
              status: 0,
              headers: {},
              body: "",
              bytes,
              sentAt,
              endAt: clock.now(),
              error: TIMEOUT_CODES.has(code) ? "timeout" : "connect",
              errorMessage: error.message,
            });
          },
        },
      );
    });
  }

  /** Closes the pool; in-flight requests are aborted when `force` is set. */
  async close(force = false): Promise<void> {
    this.closing = true;
    if (force) await this.pool.destroy();
    else await this.pool.close();
  }
}

import http from "node:http";
import https from "node:https";
import { isIP, type Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import type { TlsOptions } from "../core/probe.ts";
import type { Phases } from "../core/probe-result.ts";
import { describePhase, type PhaseMarks, type PhaseName, phasesFrom } from "./phases.ts";

export interface TimedRequestOptions {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: string | undefined;
  tls?: TlsOptions | undefined;
  /** Aborts the request; a TimeoutError reason is reported as a timeout. */
  signal: AbortSignal;
  /** Bytes of body kept for assertions; the rest is read (and timed) but discarded. */
  maxBodyBytes?: number;
  /** Monotonic clock in ms; injected for tests. */
  now?: () => number;
}

export interface TimedResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", " (set-cookie kept apart in `setCookies`). */
  headers: Record<string, string>;
  setCookies: string[];
  body: string;
  bytes: number;
  certValidTo?: Date | undefined;
}

export type TimedOutcome =
  | { ok: true; response: TimedResponse; phases: Phases }
  | {
      ok: false;
      message: string;
      failedIn: PhaseName | undefined;
      phases: Phases;
      certValidTo?: Date | undefined;
    };

/**
 * One HTTP request on a fresh connection (no keep-alive, like a first-time visitor and like
 * blackbox_exporter), timed per phase from socket events: DNS lookup, TCP connect, TLS
 * handshake, first response byte, end of body. Never rejects: failures come back as
 * `{ok: false}` naming the phase where it stopped.
 */
export function timedRequest(options: TimedRequestOptions): Promise<TimedOutcome> {
  const now = options.now ?? (() => performance.now());
  const maxBody = options.maxBodyBytes ?? 1 << 20;
  const secure = options.url.protocol === "https:";
  return new Promise<TimedOutcome>((resolve) => {
    const marks: PhaseMarks = { start: now() };
    // An IP literal needs no lookup: its DNS phase is zero.
    if (isIP(options.url.hostname.replace(/^\[|\]$/g, ""))) marks.dns = marks.start;
    let certValidTo: Date | undefined;
    let settled = false;
    const finish = (outcome: (phases: Phases, failedIn: PhaseName | undefined) => TimedOutcome) => {
      if (settled) return;
      settled = true;
      const { phases, failedIn } = phasesFrom(marks, now());
      resolve(outcome(phases, failedIn));
    };
    const fail = (error: unknown) =>
      finish((phases, failedIn) => ({
        ok: false,
        message: failureMessage(error, options.signal, phases, failedIn),
        failedIn,
        phases,
        certValidTo,
      }));

    const transport = secure ? https : http;
    let request: http.ClientRequest;
    try {
      request = transport.request(options.url, {
        method: options.method,
        headers: options.headers,
        agent: false,
        signal: options.signal,
        ...(secure
          ? {
              rejectUnauthorized: !(options.tls?.insecureSkipVerify ?? false),
              ca: options.tls?.ca,
              servername: options.tls?.servername,
            }
          : {}),
      });
    } catch (error) {
      fail(error);
      return;
    }

    request.once("socket", (socket: Socket) => {
      socket.once("lookup", () => {
        marks.dns = now();
      });
      socket.once("connect", () => {
        marks.connect = now();
        marks.dns ??= marks.start;
        // Plain http has no handshake: its TLS phase is zero.
        if (!secure) marks.tls = marks.connect;
      });
      socket.once("secureConnect", () => {
        marks.tls = now();
        const validTo = (socket as TLSSocket).getPeerCertificate()?.valid_to;
        if (validTo) certValidTo = new Date(validTo);
      });
      socket.once("data", () => {
        marks.firstByte ??= now();
      });
    });

    request.once("response", (response) => {
      marks.firstByte ??= now();
      const chunks: Buffer[] = [];
      let kept = 0;
      let bytes = 0;
      response.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
        if (kept < maxBody) {
          const slice = chunk.subarray(0, maxBody - kept);
          chunks.push(slice);
          kept += slice.length;
        }
      });
      response.once("error", fail);
      response.once("aborted", () => fail(new Error("connection closed before the body ended")));
      response.once("end", () => {
        marks.transfer = now();
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers)) {
          if (name === "set-cookie" || value === undefined) continue;
          headers[name] = Array.isArray(value) ? value.join(", ") : value;
        }
        finish((phases) => ({
          ok: true,
          phases,
          response: {
            status: response.statusCode ?? 0,
            headers,
            setCookies: response.headers["set-cookie"] ?? [],
            body: Buffer.concat(chunks).toString("utf8"),
            bytes,
            certValidTo,
          },
        }));
      });
    });
    request.once("error", fail);
    request.end(options.body);
  });
}

function failureMessage(
  error: unknown,
  signal: AbortSignal,
  phases: Phases,
  failedIn: PhaseName | undefined,
): string {
  const where = failedIn ? ` ${describePhase(failedIn)}` : "";
  if (signal.aborted) {
    const reason = signal.reason as { name?: string } | undefined;
    return reason?.name === "TimeoutError"
      ? `timed out after ${Math.round(phases.total)} ms${where}`
      : `aborted after ${Math.round(phases.total)} ms${where}`;
  }
  const err = error as NodeJS.ErrnoException;
  return `${err.code ? `${err.code}: ` : ""}${err.message ?? String(error)}${where ? ` (${where.trim()})` : ""}`;
}

import type { Notification } from "./notification.ts";

/** A notifier's answer: retryable failures are tried again with backoff, others are logged as failed. */
export type SendResult = { ok: true } | { ok: false; retryable: boolean; error: string };

/**
 * Delivers notifications to one channel. Must honour `signal` (the queue aborts an attempt at its
 * timeout) and must not throw: failures come back as a SendResult.
 */
export interface Notifier {
  send(notification: Notification, signal: AbortSignal): Promise<SendResult>;
}

/** Classifies an HTTP answer as Alertmanager does: 5xx and 429 are worth retrying, other 4xx are not. */
export function httpResult(status: number, body: string): SendResult {
  if (status >= 200 && status < 300) return { ok: true };
  const retryable = status >= 500 || status === 429 || status === 408;
  return { ok: false, retryable, error: `HTTP ${status}${body ? `: ${body.slice(0, 200)}` : ""}` };
}

/** A transport failure (refused, reset, timed out) is worth retrying. */
export function transportFailure(error: unknown, signal: AbortSignal): SendResult {
  return { ok: false, retryable: true, error: signal.aborted ? "timed out" : errorWithCause(error) };
}

/**
 * An error's message with the causes under it: fetch says only "fetch failed", its cause says
 * "connect ECONNREFUSED 127.0.0.1:9", which is what a person needs to read.
 */
export function errorWithCause(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 4; depth++) {
    const text = current instanceof Error ? current.message : String(current);
    if (text && !parts.includes(text)) parts.push(text);
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(": ") || "unknown error";
}

/** POSTs JSON and classifies the answer; never throws. */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<SendResult> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
      signal,
    });
    const text = await response.text();
    return httpResult(response.status, text);
  } catch (error) {
    return transportFailure(error, signal);
  }
}

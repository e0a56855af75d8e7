/**
 * Why a request failed, as data: every failed request gets one cause, counted per step and
 * second in its window and merged by addition exactly like the windows' histograms. Pure.
 *
 * A cause is a short key:
 * - a transport failure: `refused`, `reset`, `timeout_connect`, `timeout_first_byte`,
 *   `timeout_total`, `dns`, `tls`, `connect` (any other connection failure);
 * - `http_<status>` for an unexpected status (`http_503`);
 * - `assertion:<name>` for a response that arrived but failed a named check;
 * - `dropped` for an arrival that found no free virtual user (journey step only);
 * - `timeout`, `http_4xx`, `http_5xx`, `assertion`: read from windows written before causes existed.
 */

/** The coarse classes every window has always carried (and the hub stores as columns). */
export const errorClasses = ["connect", "timeout", "http4xx", "http5xx", "assertion"] as const;
export type ErrorClass = (typeof errorClasses)[number];

/** Transport causes and what they mean, in the words the tables show. */
export const transportCauses = {
  refused: "connection refused",
  reset: "connection reset",
  timeout_connect: "timeout while connecting",
  timeout_first_byte: "timeout waiting for the first byte",
  timeout_total: "timeout before the response completed",
  dns: "DNS lookup failed",
  tls: "TLS failure",
  connect: "connection failed",
} as const;
export type TransportCause = keyof typeof transportCauses;

/** Causes only old windows carry (their class without the detail). */
const legacyLabels: Record<string, string> = {
  timeout: "timeout",
  http_4xx: "HTTP 4xx",
  http_5xx: "HTTP 5xx",
  assertion: "assertion failed",
};

export const DROPPED = "dropped";

/** Every cause key: transport, HTTP status, named assertion, dropped or legacy. */
export const CAUSE_PATTERN =
  /^(refused|reset|timeout_connect|timeout_first_byte|timeout_total|dns|tls|connect|dropped|timeout|assertion|http_[1-5](\d\d|xx)|assertion:[A-Za-z0-9_.:-]{1,80})$/;

/** Distinct causes one window may carry (a bound on input size, far above what runs produce). */
export const MAX_CAUSES_PER_WINDOW = 64;
/** Longest kept error message, characters. */
export const MAX_MESSAGE = 300;

/** How often one cause happened, and the last message seen with it. */
export interface CauseCount {
  count: number;
  message?: string;
}
export type CauseCounts = Record<string, CauseCount>;

/** Why one request failed: its cause and, when there is one, what the failure said. */
export interface Failure {
  cause: string;
  message?: string;
}

export const httpCause = (status: number): string => `http_${status}`;

/** The cause of a named assertion; the name is cut to the allowed characters and length. */
export function assertionCause(name: string): string {
  const clean = name.replace(/[^A-Za-z0-9_.:-]+/g, "_").slice(0, 80) || "unnamed";
  return `assertion:${clean}`;
}

/** Adds `count` occurrences of `cause` (mutates `into`); a message replaces the older one. */
export function addCause(into: CauseCounts, cause: string, count = 1, message?: string): void {
  const entry = into[cause];
  const kept = message === undefined ? undefined : message.slice(0, MAX_MESSAGE);
  if (entry) {
    entry.count += count;
    if (kept !== undefined) entry.message = kept;
  } else {
    into[cause] = kept === undefined ? { count } : { count, message: kept };
  }
}

/** Adds every cause of `from` into `into` (mutates `into`); merging is addition, like histograms. */
export function mergeCauses(into: CauseCounts, from: CauseCounts | undefined | null): CauseCounts {
  if (from) for (const [cause, c] of Object.entries(from)) addCause(into, cause, c.count, c.message);
  return into;
}

/** The coarse class of a cause; undefined for `dropped`, which is not a failed request. */
export function classOf(cause: string): ErrorClass | undefined {
  if (cause === DROPPED) return undefined;
  if (cause.startsWith("timeout")) return "timeout";
  if (cause.startsWith("http_4")) return "http4xx";
  if (cause.startsWith("http_")) return "http5xx";
  if (cause.startsWith("assertion")) return "assertion";
  return "connect";
}

/** Class counts of a set of causes (what the `errors` field of a window holds). */
export function classCounts(causes: CauseCounts): Record<ErrorClass, number> {
  const out: Record<ErrorClass, number> = { connect: 0, timeout: 0, http4xx: 0, http5xx: 0, assertion: 0 };
  for (const [cause, c] of Object.entries(causes)) {
    const k = classOf(cause);
    if (k) out[k] += c.count;
  }
  return out;
}

/** Causes of a window written before causes existed: its classes, without detail. */
export function legacyCauses(errors: Record<ErrorClass, number>, dropped = 0): CauseCounts {
  const names: Record<ErrorClass, string> = {
    connect: "connect",
    timeout: "timeout",
    http4xx: "http_4xx",
    http5xx: "http_5xx",
    assertion: "assertion",
  };
  const out: CauseCounts = {};
  for (const c of errorClasses) if (errors[c] > 0) out[names[c]] = { count: errors[c] };
  if (dropped > 0) out[DROPPED] = { count: dropped };
  return out;
}

/** Failed requests among the causes (dropped arrivals are not requests). */
export function failedCount(causes: CauseCounts): number {
  let n = 0;
  for (const [cause, c] of Object.entries(causes)) if (cause !== DROPPED) n += c.count;
  return n;
}

/** A cause in words: "connection refused", "HTTP 503", "assertion failed: product list". */
export function causeLabel(cause: string): string {
  if (cause in transportCauses) return transportCauses[cause as TransportCause];
  if (cause === DROPPED) return "dropped arrival (no free virtual user)";
  if (legacyLabels[cause]) return legacyLabels[cause];
  if (cause.startsWith("http_")) return `HTTP ${cause.slice(5)}`;
  if (cause.startsWith("assertion:")) return `assertion failed: ${cause.slice(10)}`;
  return cause;
}

const TIMEOUT_CODES: Record<string, TransportCause> = {
  UND_ERR_CONNECT_TIMEOUT: "timeout_connect",
  ETIMEDOUT: "timeout_connect",
  UND_ERR_HEADERS_TIMEOUT: "timeout_first_byte",
  UND_ERR_BODY_TIMEOUT: "timeout_total",
};

/**
 * The transport cause of a Node/undici error from its `code` (and message when the code says
 * nothing). Never throws; an unknown failure is `connect`.
 */
export function transportCauseOf(code: string | undefined, message = ""): TransportCause {
  const c = code ?? "";
  if (TIMEOUT_CODES[c]) return TIMEOUT_CODES[c];
  if (c === "ECONNREFUSED") return "refused";
  if (c === "ECONNRESET" || c === "EPIPE" || c === "UND_ERR_SOCKET" || c === "UND_ERR_CLOSED") return "reset";
  if (c === "ENOTFOUND" || c === "EAI_AGAIN" || c === "EAI_NONAME") return "dns";
  if (/^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_OSSL)/.test(c)) return "tls";
  if (/refused/i.test(message)) return "refused";
  if (/reset|socket hang up|other side closed/i.test(message)) return "reset";
  if (/timed? ?out/i.test(message)) return "timeout_total";
  return "connect";
}

/** One row of an errors table: a cause at a step, its count and share of the step's requests. */
export interface CauseRow {
  step: string;
  cause: string;
  label: string;
  count: number;
  /** count / the step's requests (target arrivals for `dropped`), 0..1. */
  share: number;
  lastMessage: string | null;
}

/**
 * The rows of an errors table, most frequent first. `denominators` gives each step's requests
 * (and the journey's target arrivals under `dropped`'s step) so shares mean the same everywhere.
 */
export function causeRows(
  byStep: Readonly<Record<string, CauseCounts>>,
  denominators: Readonly<Record<string, number>>,
): CauseRow[] {
  const rows: CauseRow[] = [];
  for (const [step, causes] of Object.entries(byStep)) {
    const total = denominators[step] ?? 0;
    for (const [cause, c] of Object.entries(causes)) {
      if (c.count <= 0) continue;
      rows.push({
        step,
        cause,
        label: causeLabel(cause),
        count: c.count,
        share: total > 0 ? Math.min(1, c.count / total) : 0,
        lastMessage: c.message ?? null,
      });
    }
  }
  return rows.sort(
    (a, b) => b.count - a.count || a.step.localeCompare(b.step) || a.cause.localeCompare(b.cause),
  );
}

/**
 * Why a step has no latency figure, for people: "no request" when none was sent, else
 * "no successful request: 40 × connection refused" (the two most frequent causes, then how many
 * more). Dropped arrivals are not requests and are not named.
 */
export function noLatencyReason(count: number, causes: CauseCounts | undefined): string {
  if (count <= 0) return "no request";
  const failed = Object.entries(causes ?? {})
    .filter(([cause, c]) => cause !== DROPPED && c.count > 0)
    .sort((a, b) => b[1].count - a[1].count || a[0].localeCompare(b[0]));
  if (failed.length === 0) return "no successful request";
  const named = failed.slice(0, 2).map(([cause, c]) => `${c.count} × ${causeLabel(cause)}`);
  if (failed.length > 2) named.push(`${failed.length - 2} more causes`);
  return `no successful request: ${named.join(", ")}`;
}

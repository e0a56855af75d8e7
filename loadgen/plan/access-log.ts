/**
 * Web-server access log lines → requests. Two formats: nginx/Apache "combined" and JSON lines
 * with configurable field names. Pure: a line in, a request or a reason out.
 *
 * Privacy starts here: the query string is dropped at parse time, so emails, tokens and search
 * terms in it never travel further; the client address and user agent are kept only as the
 * sessioniser's grouping key and never written anywhere.
 */

/** One request of a log, with only what planning needs. */
export interface LogRequest {
  /** Epoch milliseconds. */
  time: number;
  /** Grouping key of the visitor: client address + user agent (never written out). */
  client: string;
  method: string;
  /** Path without the query string. */
  path: string;
  status: number;
  /** The log names an authenticated user (combined %u, or the JSON user field). */
  authenticated: boolean;
}

export type LogFormat = "combined" | "json";
export const logFormats = ["combined", "json"] as const;

/** Field names of a JSON log line; each is a list of candidates, the first present wins. */
export interface JsonFields {
  time: string[];
  client: string[];
  userAgent: string[];
  method: string[];
  path: string[];
  /** `"GET /x HTTP/1.1"` in one field, used when method or path are absent. */
  request: string[];
  status: string[];
  user: string[];
}

/** Common names in nginx `log_format … escape=json`, Caddy, Envoy and Traefik JSON logs. */
export const defaultJsonFields: JsonFields = {
  time: ["time", "timestamp", "@timestamp", "ts", "time_iso8601", "time_local"],
  client: ["remote_addr", "client_ip", "ip", "client", "remote_ip"],
  userAgent: ["http_user_agent", "user_agent", "userAgent", "ua"],
  method: ["method", "request_method"],
  path: ["path", "uri", "request_uri", "url"],
  request: ["request"],
  status: ["status", "status_code"],
  user: ["remote_user", "user", "user_id"],
};

export type ParsedLine = { ok: true; request: LogRequest } | { ok: false; reason: string };

const MONTHS: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

// host ident user [time] "request" status bytes "referer" "user-agent"; the two quoted tails
// are optional (common log format). Linear: no nested quantifiers.
const COMBINED =
  /^(\S+) \S+ (\S+) \[([^\]]+)\] "([^"]*)" (\d{3}) \S+(?: "(?:[^"\\]|\\.)*" "((?:[^"\\]|\\.)*)")?/;

/** `10/Oct/2000:13:55:36 -0700` → epoch ms, or NaN. */
export function parseClfTime(s: string): number {
  const m = /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(s);
  if (!m) return Number.NaN;
  const month = MONTHS[m[2]!];
  if (month === undefined) return Number.NaN;
  const utc = Date.UTC(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  const offset = (Number(m[8]) * 60 + Number(m[9])) * 60_000 * (m[7] === "-" ? -1 : 1);
  return utc - offset;
}

/** The path of a request target without query string or fragment; absolute URLs lose their origin. */
export function stripQuery(target: string): string {
  let path = target;
  const scheme = /^[a-z]+:\/\/[^/]*/i.exec(path);
  if (scheme) path = path.slice(scheme[0].length) || "/";
  const cut = path.search(/[?#;]/);
  return cut === -1 ? path : path.slice(0, cut);
}

function splitRequestLine(line: string): { method: string; path: string } | undefined {
  const m = /^([A-Z]{3,10}) (\S+)(?: HTTP\/[\d.]+)?$/.exec(line);
  return m ? { method: m[1]!, path: stripQuery(m[2]!) } : undefined;
}

/** Parses one combined (or common) log line. */
export function parseCombinedLine(line: string): ParsedLine {
  const m = COMBINED.exec(line);
  if (!m) return { ok: false, reason: "not in combined log format" };
  const time = parseClfTime(m[3]!);
  if (Number.isNaN(time)) return { ok: false, reason: "unreadable time" };
  const request = splitRequestLine(m[4]!);
  if (!request) return { ok: false, reason: "unreadable request line" };
  return {
    ok: true,
    request: {
      time,
      client: `${m[1]} ${m[6] ?? ""}`,
      method: request.method,
      path: request.path,
      status: Number(m[5]),
      authenticated: m[2] !== "-",
    },
  };
}

function pick(record: Record<string, unknown>, names: ReadonlyArray<string>): unknown {
  for (const name of names) {
    const value = record[name];
    if (value !== undefined && value !== null && value !== "") return value;
  }
  return undefined;
}

/** ISO text, CLF text, or a number of epoch seconds (or milliseconds when it is that large). */
function toEpochMs(value: unknown): number {
  if (typeof value === "number") return value > 1e11 ? value : value * 1000;
  if (typeof value !== "string") return Number.NaN;
  if (/^\d+(\.\d+)?$/.test(value)) return toEpochMs(Number(value));
  const clf = parseClfTime(value);
  return Number.isNaN(clf) ? Date.parse(value) : clf;
}

/** Parses one JSON log line with the given field names. */
export function parseJsonLine(line: string, fields: JsonFields = defaultJsonFields): ParsedLine {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return { ok: false, reason: "not JSON" };
  }
  if (typeof record !== "object" || record === null || Array.isArray(record))
    return { ok: false, reason: "not a JSON object" };
  const r = record as Record<string, unknown>;
  const time = toEpochMs(pick(r, fields.time));
  if (Number.isNaN(time)) return { ok: false, reason: `no time field (${fields.time.join(", ")})` };
  let method = pick(r, fields.method);
  let path = pick(r, fields.path);
  if (method === undefined || path === undefined) {
    const line = pick(r, fields.request);
    const split = typeof line === "string" ? splitRequestLine(line) : undefined;
    if (!split)
      return { ok: false, reason: `no method and path (${fields.path.join(", ")}) or request field` };
    method ??= split.method;
    path ??= split.path;
  }
  const status = Number(pick(r, fields.status));
  if (!Number.isInteger(status))
    return { ok: false, reason: `no status field (${fields.status.join(", ")})` };
  const user = pick(r, fields.user);
  return {
    ok: true,
    request: {
      time,
      client: `${String(pick(r, fields.client) ?? "")} ${String(pick(r, fields.userAgent) ?? "")}`,
      method: String(method).toUpperCase(),
      path: stripQuery(String(path)),
      status,
      authenticated: user !== undefined && user !== "-",
    },
  };
}

/** A line parser for a format (JSON field names apply to the json format only). */
export function lineParser(format: LogFormat, fields?: JsonFields): (line: string) => ParsedLine {
  return format === "json" ? (line) => parseJsonLine(line, fields) : parseCombinedLine;
}

/** Guesses the format from the first non-empty line: `{` means JSON lines. */
export function sniffFormat(firstLine: string): LogFormat {
  return firstLine.trimStart().startsWith("{") ? "json" : "combined";
}

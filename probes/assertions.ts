import { isDeepStrictEqual } from "node:util";
import type { Assertion, AssertionType, CompareOp } from "../core/probe.ts";
import { lookup } from "./json-path.ts";

/** The outcome of one assertion; a failure says what was expected and what came back. */
export type AssertionResult = { ok: true } | { ok: false; message: string };

/** What a check observed, as the assertions see it. */
export interface Observation {
  status?: number | undefined;
  /** Lower-case header names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: string;
  durationMs: number;
  /** The peer certificate's expiry, when the check used TLS. */
  certValidTo?: Date | undefined;
  /** Wall clock (epoch ms) for certificate arithmetic. */
  now: number;
}

const pass: AssertionResult = { ok: true };
const fail = (message: string): AssertionResult => ({ ok: false, message });

/** Quotes a value for a message, cut short so a large body never floods a result. */
export function show(value: unknown, max = 120): string {
  const text = value === undefined ? "undefined" : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text;
}

const parsed = new WeakMap<Observation, { ok: true; value: unknown } | { ok: false }>();
function json(observation: Observation): { ok: true; value: unknown } | { ok: false } {
  let cached = parsed.get(observation);
  if (!cached) {
    try {
      cached = { ok: true, value: JSON.parse(observation.body) };
    } catch {
      cached = { ok: false };
    }
    parsed.set(observation, cached);
  }
  return cached;
}

type Found = { ok: true; value: unknown } | { ok: false; message: string };

function atPath(observation: Observation, path: string): Found {
  const document = json(observation);
  if (!document.ok)
    return { ok: false, message: `expected a JSON body for path ${path}, got ${show(observation.body)}` };
  let found: ReturnType<typeof lookup>;
  try {
    found = lookup(document.value, path);
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
  if (!found.found) return { ok: false, message: `expected JSON path ${path} to exist, it is missing` };
  return { ok: true, value: found.value };
}

const compare: Record<CompareOp, (a: number, b: number) => boolean> = {
  "<": (a, b) => a < b,
  "<=": (a, b) => a <= b,
  ">": (a, b) => a > b,
  ">=": (a, b) => a >= b,
  "==": (a, b) => a === b,
  "!=": (a, b) => a !== b,
};

const DAY_MS = 86_400_000;

type Check<T extends AssertionType> = (
  assertion: Extract<Assertion, { type: T }>,
  o: Observation,
) => AssertionResult;

/** One pure function per assertion type. */
const checks: { [T in AssertionType]: Check<T> } = {
  status: (a, o) =>
    o.status !== undefined && a.in.includes(o.status)
      ? pass
      : fail(`expected status in [${a.in.join(", ")}], got ${o.status ?? "no response"}`),
  bodyContains: (a, o) =>
    o.body.includes(a.value) ? pass : fail(`expected body to contain ${show(a.value)}, got ${show(o.body)}`),
  bodyMatches: (a, o) =>
    new RegExp(a.pattern).test(o.body)
      ? pass
      : fail(`expected body to match /${a.pattern}/, got ${show(o.body)}`),
  bodyNotMatches: (a, o) => {
    const match = new RegExp(a.pattern).exec(o.body);
    return match ? fail(`expected body not to match /${a.pattern}/, found ${show(match[0])}`) : pass;
  },
  jsonPathExists: (a, o) => {
    const found = atPath(o, a.path);
    return found.ok ? pass : found;
  },
  jsonPathEquals: (a, o) => {
    const found = atPath(o, a.path);
    if (!found.ok) return found;
    return isDeepStrictEqual(found.value, a.value)
      ? pass
      : fail(`expected ${a.path} to equal ${show(a.value)}, got ${show(found.value)}`);
  },
  jsonPathCompare: (a, o) => {
    const found = atPath(o, a.path);
    if (!found.ok) return found;
    const value = found.value;
    if (typeof value !== "number")
      return fail(`expected ${a.path} to be a number ${a.op} ${a.value}, got ${show(value)}`);
    return compare[a.op](value, a.value) ? pass : fail(`expected ${a.path} ${a.op} ${a.value}, got ${value}`);
  },
  header: (a, o) => {
    const value = o.headers[a.name.toLowerCase()];
    if (value === undefined) return fail(`expected header ${a.name} matching /${a.pattern}/, it is missing`);
    return new RegExp(a.pattern).test(value)
      ? pass
      : fail(`expected header ${a.name} to match /${a.pattern}/, got ${show(value)}`);
  },
  latencyBelow: (a, o) =>
    o.durationMs < a.ms ? pass : fail(`expected latency below ${a.ms} ms, got ${o.durationMs.toFixed(1)} ms`),
  certDaysLeft: (a, o) => {
    if (!o.certValidTo)
      return fail(`expected a TLS certificate valid for ${a.min} more days, got no certificate`);
    const days = (o.certValidTo.getTime() - o.now) / DAY_MS;
    return days >= a.min
      ? pass
      : fail(`expected certificate valid for at least ${a.min} days, it has ${days.toFixed(1)} days left`);
  },
};

/** Evaluates one assertion. Pure. */
export function evaluate(assertion: Assertion, observation: Observation): AssertionResult {
  return (checks[assertion.type] as Check<AssertionType>)(assertion, observation);
}

/** Evaluates assertions in order and returns the first failure, or ok. Pure. */
export function evaluateAll(assertions: ReadonlyArray<Assertion>, observation: Observation): AssertionResult {
  for (const assertion of assertions) {
    const result = evaluate(assertion, observation);
    if (!result.ok) return result;
  }
  return pass;
}

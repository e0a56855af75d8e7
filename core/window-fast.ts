import { CAUSE_PATTERN, type CauseCounts, MAX_CAUSES_PER_WINDOW, MAX_MESSAGE } from "./error-causes.ts";
import { encodedTotalOnce } from "./histogram.ts";
import { JOURNEY_STEP } from "./names.ts";
import { INT4_MAX, type Window } from "./window.ts";

/**
 * WindowSchema's checks written out by hand for the ingest hot path (zod's parse was the largest
 * share of the hub's CPU per window). Sound, not complete: it returns a window only when
 * WindowSchema would accept the item and give the same value (unknown keys dropped), and
 * undefined for anything else, so the caller parses with WindowSchema for the exact 400.
 */
export function fastWindow(item: unknown): Window | undefined {
  if (typeof item !== "object" || item === null || Array.isArray(item)) return undefined;
  const w = item as Record<string, unknown>;
  const { runId, step, worker, second, count, errors, bytes, targetRate, achievedRate, dropped, latency } = w;
  if (!isName(runId) || !isName(step) || !isName(worker)) return undefined;
  if (!isInt(second) || !isCount(count) || !isCount(dropped)) return undefined;
  if (!isInt(bytes) || bytes > Number.MAX_SAFE_INTEGER) return undefined;
  if (!isRate(targetRate) || !isRate(achievedRate)) return undefined;
  if (typeof errors !== "object" || errors === null || Array.isArray(errors)) return undefined;
  const e = errors as Record<string, unknown>;
  const { connect, timeout, http4xx, http5xx, assertion } = e;
  if (!isCount(connect) || !isCount(timeout) || !isCount(http4xx) || !isCount(http5xx) || !isCount(assertion))
    return undefined;
  const latencyTotal = histogramTotal(latency);
  if (latencyTotal === undefined) return undefined;
  const out: Window = {
    runId,
    step,
    worker,
    second,
    count,
    errors: { connect, timeout, http4xx, http5xx, assertion },
    bytes,
    targetRate,
    achievedRate,
    dropped,
    latency: latency as string,
  };
  // Optional fields in WindowSchema's order, so the value serialises as the schema's would.
  let serviceTotal = 0;
  if ("service" in w) {
    const total = histogramTotal(w.service);
    if (total === undefined) return undefined;
    serviceTotal = total;
    out.service = w.service as string;
  }
  if ("causes" in w) {
    const causes = causesOf(w.causes);
    if (!causes) return undefined;
    out.causes = causes;
  }
  let failedTotal = 0;
  if ("failedLatency" in w) {
    const total = histogramTotal(w.failedLatency);
    if (total === undefined) return undefined;
    failedTotal = total;
    out.failedLatency = w.failedLatency as string;
  }
  // WindowSchema's countsAgree.
  if (step !== JOURNEY_STEP) {
    if (latencyTotal + failedTotal !== count || serviceTotal > count) return undefined;
    if (connect + timeout + http4xx + http5xx + assertion > count) return undefined;
  }
  return out;
}

const NAME = /^[A-Za-z0-9_.:-]+$/;

function isName(v: unknown): v is string {
  return typeof v === "string" && v.length >= 1 && v.length <= 100 && NAME.test(v);
}

function isInt(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

function isCount(v: unknown): v is number {
  return isInt(v) && v <= INT4_MAX;
}

function isRate(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v) && v >= 0;
}

/** The total of a structurally valid encoded histogram of at most 200,000 characters. */
function histogramTotal(v: unknown): number | undefined {
  if (typeof v !== "string" || v.length < 1 || v.length > 200_000) return undefined;
  return encodedTotalOnce(v);
}

function causesOf(v: unknown): CauseCounts | undefined {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return undefined;
  const keys = Object.keys(v);
  if (keys.length > MAX_CAUSES_PER_WINDOW) return undefined;
  const out: Record<string, { count: number; message?: string }> = {};
  for (const key of keys) {
    if (!CAUSE_PATTERN.test(key)) return undefined;
    const cause = (v as Record<string, unknown>)[key];
    if (typeof cause !== "object" || cause === null || Array.isArray(cause)) return undefined;
    const { count, message } = cause as Record<string, unknown>;
    if (!isCount(count)) return undefined;
    if ("message" in cause) {
      if (typeof message !== "string" || message.length > MAX_MESSAGE) return undefined;
      out[key] = { count, message };
    } else out[key] = { count };
  }
  return out as CauseCounts;
}

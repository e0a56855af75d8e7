import type { Window } from "../../core/window.ts";
import type { WindowRow } from "../../db/schema/hub.ts";

/** A wire window as a row of `projectId` (error classes flattened into columns so SQL can sum them). */
export function windowToRow(w: Window, projectId: string): WindowRow {
  return {
    projectId,
    runId: w.runId,
    step: w.step,
    worker: w.worker,
    second: w.second,
    count: w.count,
    errConnect: w.errors.connect,
    errTimeout: w.errors.timeout,
    errHttp4xx: w.errors.http4xx,
    errHttp5xx: w.errors.http5xx,
    errAssertion: w.errors.assertion,
    bytes: w.bytes,
    targetRate: w.targetRate,
    achievedRate: w.achievedRate,
    dropped: w.dropped,
    latency: w.latency,
    service: w.service ?? null,
    causes: w.causes ?? null,
    failedLatency: w.failedLatency ?? null,
  };
}

/** Error classes of a per-second or per-minute row (same column names) as the wire's errors. */
export function rowErrors(
  r: Pick<WindowRow, "errConnect" | "errTimeout" | "errHttp4xx" | "errHttp5xx" | "errAssertion">,
): Window["errors"] {
  return {
    connect: r.errConnect,
    timeout: r.errTimeout,
    http4xx: r.errHttp4xx,
    http5xx: r.errHttp5xx,
    assertion: r.errAssertion,
  };
}

/** Inverse of windowToRow. */
export function rowToWindow(r: WindowRow): Window {
  return {
    runId: r.runId,
    step: r.step,
    worker: r.worker,
    second: r.second,
    count: r.count,
    errors: rowErrors(r),
    bytes: r.bytes,
    targetRate: r.targetRate,
    achievedRate: r.achievedRate,
    dropped: r.dropped,
    latency: r.latency,
    ...(r.service ? { service: r.service } : {}),
    ...(r.causes ? { causes: r.causes } : {}),
    ...(r.failedLatency ? { failedLatency: r.failedLatency } : {}),
  };
}

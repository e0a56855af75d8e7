import { and, eq, gte, lte, ne, type SQL } from "drizzle-orm";
import type { Db } from "../../db/open.ts";
import { windowMinutes, windows } from "../../db/schema/hub.ts";
import type { Slice } from "./slices.ts";

export interface SliceFilter {
  /** One step, or "requests" for every step except the journey; all steps when omitted. */
  step?: string | { except: string };
  /** Unix epoch seconds, inclusive. */
  from?: number;
  to?: number;
}

/**
 * A run's stored data as slices: raw per-second windows and, for stretches past raw
 * retention, per-minute roll-ups. The two never overlap (roll-up deletes the raw rows).
 */
export async function loadSlices(db: Db, runId: string, filter: SliceFilter = {}): Promise<Slice[]> {
  const rawWhere: SQL[] = [eq(windows.runId, runId)];
  const minuteWhere: SQL[] = [eq(windowMinutes.runId, runId)];
  if (typeof filter.step === "string") {
    rawWhere.push(eq(windows.step, filter.step));
    minuteWhere.push(eq(windowMinutes.step, filter.step));
  } else if (filter.step) {
    rawWhere.push(ne(windows.step, filter.step.except));
    minuteWhere.push(ne(windowMinutes.step, filter.step.except));
  }
  if (filter.from !== undefined) {
    rawWhere.push(gte(windows.second, filter.from));
    minuteWhere.push(gte(windowMinutes.minute, Math.floor(filter.from / 60) * 60));
  }
  if (filter.to !== undefined) {
    rawWhere.push(lte(windows.second, filter.to));
    minuteWhere.push(lte(windowMinutes.minute, filter.to));
  }
  const [raw, minutes] = await Promise.all([
    db
      .select()
      .from(windows)
      .where(and(...rawWhere)),
    db
      .select()
      .from(windowMinutes)
      .where(and(...minuteWhere)),
  ]);
  const slices: Slice[] = raw.map((r) => ({
    step: r.step,
    second: r.second,
    span: 1,
    count: r.count,
    errors: {
      connect: r.errConnect,
      timeout: r.errTimeout,
      http4xx: r.errHttp4xx,
      http5xx: r.errHttp5xx,
      assertion: r.errAssertion,
    },
    bytes: r.bytes,
    dropped: r.dropped,
    targetRateSeconds: r.targetRate,
    achievedRateSeconds: r.achievedRate,
    latency: r.latency,
    ...(r.causes ? { causes: r.causes } : {}),
    ...(r.failedLatency ? { failedLatency: r.failedLatency } : {}),
  }));
  for (const m of minutes) {
    slices.push({
      step: m.step,
      second: m.minute,
      span: 60,
      count: m.count,
      errors: {
        connect: m.errConnect,
        timeout: m.errTimeout,
        http4xx: m.errHttp4xx,
        http5xx: m.errHttp5xx,
        assertion: m.errAssertion,
      },
      bytes: m.bytes,
      dropped: m.dropped,
      targetRateSeconds: m.targetRateSum,
      achievedRateSeconds: m.achievedRateSum,
      latency: m.latency,
      ...(m.causes ? { causes: m.causes } : {}),
      ...(m.failedLatency ? { failedLatency: m.failedLatency } : {}),
      ...(m.causes ? { causes: m.causes } : {}),
      ...(m.failedLatency ? { failedLatency: m.failedLatency } : {}),
    });
  }
  return slices;
}

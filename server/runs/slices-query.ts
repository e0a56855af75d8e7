import { and, eq, gte, lte, ne, type SQL } from "drizzle-orm";
import type { Db } from "../../db/open.ts";
import { type WindowMinuteRow, windowMinutes, windows } from "../../db/schema/hub.ts";
import { rowErrors } from "../ingest/window-rows.ts";
import type { Slice } from "./slices.ts";
import type { MinuteRollups } from "./slices-rollup.ts";

export interface SliceFilter {
  /** One step, or "requests" for every step except the journey; all steps when omitted. */
  step?: string | { except: string };
  /** Unix epoch seconds, inclusive. */
  from?: number;
  to?: number;
}

/** Above this many raw windows a read uses per-minute roll-ups instead of per-second rows. */
export const RAW_SLICE_LIMIT = 10_000;

/**
 * A run's stored data as slices: raw per-second windows and, for stretches past raw
 * retention, per-minute roll-ups. The two never overlap (roll-up deletes the raw rows).
 * With `rollups`, a read of more than RAW_SLICE_LIMIT raw windows gets them per minute instead
 * (span = seconds present), so its work does not grow with the run's length in seconds × workers.
 */
export async function loadSlices(
  db: Db,
  runId: string,
  filter: SliceFilter = {},
  rollups?: MinuteRollups,
): Promise<Slice[]> {
  if (rollups && (await rollups.exceeds(runId, filter, RAW_SLICE_LIMIT)))
    return loadSlicesPerMinute(db, rollups, runId, filter);
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
    errors: rowErrors(r),
    bytes: r.bytes,
    dropped: r.dropped,
    targetRateSeconds: r.targetRate,
    achievedRateSeconds: r.achievedRate,
    latency: r.latency,
    ...(r.causes ? { causes: r.causes } : {}),
    ...(r.failedLatency ? { failedLatency: r.failedLatency } : {}),
  }));
  for (const m of minutes) slices.push(minuteSlice(m));
  return slices;
}

/** The minute roll-ups retention left for a run (raw rows past raw retention). */
async function loadRetainedMinutes(db: Db, runId: string, filter: SliceFilter): Promise<Slice[]> {
  const where: SQL[] = [eq(windowMinutes.runId, runId)];
  if (typeof filter.step === "string") where.push(eq(windowMinutes.step, filter.step));
  else if (filter.step) where.push(ne(windowMinutes.step, filter.step.except));
  if (filter.from !== undefined) where.push(gte(windowMinutes.minute, Math.floor(filter.from / 60) * 60));
  if (filter.to !== undefined) where.push(lte(windowMinutes.minute, filter.to));
  const minutes = await db
    .select()
    .from(windowMinutes)
    .where(and(...where));
  return minutes.map(minuteSlice);
}

/** A retention roll-up row as a slice. */
function minuteSlice(m: WindowMinuteRow): Slice {
  return {
    step: m.step,
    second: m.minute,
    span: 60,
    count: m.count,
    errors: rowErrors(m),
    bytes: m.bytes,
    dropped: m.dropped,
    targetRateSeconds: m.targetRateSum,
    achievedRateSeconds: m.achievedRateSum,
    latency: m.latency,
    ...(m.causes ? { causes: m.causes } : {}),
    ...(m.failedLatency ? { failedLatency: m.failedLatency } : {}),
  };
}

/** A run's stored data one slice per step and minute, whatever its length (see MinuteRollups). */
export async function loadSlicesPerMinute(
  db: Db,
  rollups: MinuteRollups,
  runId: string,
  filter: SliceFilter = {},
): Promise<Slice[]> {
  const [perMinute, retained] = await Promise.all([
    rollups.minuteSlices(runId, filter),
    loadRetainedMinutes(db, runId, filter),
  ]);
  return [...perMinute, ...retained];
}

/**
 * A run's stored data for totals (detail, report tables, compare): like loadSlices, but a long
 * run's raw windows come one slice per step and hour (MinuteRollups.hourSlices), so merging its
 * percentiles decodes tens of histograms, not one per minute or second.
 */
export async function loadSummarySlices(
  db: Db,
  runId: string,
  filter: SliceFilter = {},
  rollups?: MinuteRollups,
): Promise<Slice[]> {
  return (await loadReportSlices(db, runId, filter, rollups)).totals;
}

/**
 * What report.html of a run reads: `slices` for its charts (per second, or per minute for a long
 * run, as loadSlices) and `totals` for its tables (as loadSummarySlices), from one read.
 */
export async function loadReportSlices(
  db: Db,
  runId: string,
  filter: SliceFilter,
  rollups: MinuteRollups | undefined,
): Promise<{ slices: Slice[]; totals: Slice[] }> {
  if (!rollups || !(await rollups.exceeds(runId, filter, RAW_SLICE_LIMIT))) {
    const slices = await loadSlices(db, runId, filter);
    return { slices, totals: slices };
  }
  const [{ minutes, hours }, retained] = await Promise.all([
    rollups.minuteAndHourSlices(runId, filter),
    loadRetainedMinutes(db, runId, filter),
  ]);
  return { slices: [...minutes, ...retained], totals: [...hours, ...retained] };
}

import { and, eq, gte, lt } from "drizzle-orm";
import { type CauseCounts, mergeCauses } from "../../core/error-causes.ts";
import { addEncoded, encodeHistogram, type Histogram, newHistogram } from "../../core/histogram.ts";
import { causesOf } from "../../core/window.ts";
import type { Db } from "../../db/open.ts";
import { windows } from "../../db/schema/hub.ts";
import { SLICE_MS, yieldToLoop } from "../event-loop.ts";
import { rowErrors } from "../ingest/window-rows.ts";
import { HOUR, type MergedStretch, MINUTE, type StoredMerge } from "./merge-store.ts";

/** A merge from merged histograms (encoded once, here). */
export function merged(
  projectId: string,
  rows: number,
  count: number,
  latency: Histogram,
  failed: Histogram | undefined,
  causes: CauseCounts,
): MergedStretch {
  return {
    projectId,
    rows,
    count,
    latency: encodeHistogram(latency),
    failedLatency: failed ? encodeHistogram(failed) : undefined,
    causes,
  };
}

/** What autoResize changes: a histogram with other values here encodes another header. */
const geometryOf = (h: Histogram) => {
  const g = h as unknown as { countsArrayLength: number; highestTrackableValue: number };
  return `${g.countsArrayLength}/${g.highestTrackableValue}`;
};

/**
 * Two histograms reused across the minutes of one mergeRawMinutes call, each handed out cleared:
 * a fresh newHistogram() is a 94 KB counts array allocated, zeroed and collected per minute. One
 * that grew past an hour's latency is dropped, so every merge is encoded with newHistogram()'s header.
 */
class ScratchHistograms {
  #latency: Histogram | undefined;
  #failed: Histogram | undefined;
  static readonly #geometry = geometryOf(newHistogram());

  latency(): Histogram {
    this.#latency = ScratchHistograms.#cleared(this.#latency);
    return this.#latency;
  }

  failed(): Histogram {
    this.#failed = ScratchHistograms.#cleared(this.#failed);
    return this.#failed;
  }

  static #cleared(h: Histogram | undefined): Histogram {
    if (h === undefined || geometryOf(h) !== ScratchHistograms.#geometry) return newHistogram();
    h.reset();
    return h;
  }
}

/**
 * Merges the given minutes of one step from their raw rows, an hour of rows per query, handing
 * each hour's merges to `merged` as they are done. Yields to the event loop every SLICE_MS.
 */
export async function mergeRawMinutes(
  db: Db,
  runId: string,
  step: string,
  minutes: ReadonlyArray<number>,
  done: (merges: StoredMerge[]) => Promise<void>,
): Promise<void> {
  const sorted = [...new Set(minutes)].sort((a, b) => a - b);
  const scratch = new ScratchHistograms();
  let sliceStart = performance.now();
  for (let i = 0; i < sorted.length; ) {
    const from = sorted[i]!;
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1]! < from + HOUR) j++;
    const to = sorted[j]! + MINUTE;
    const wanted = new Set(sorted.slice(i, j + 1));
    i = j + 1;
    const rows = await db
      .select({
        projectId: windows.projectId,
        second: windows.second,
        count: windows.count,
        errConnect: windows.errConnect,
        errTimeout: windows.errTimeout,
        errHttp4xx: windows.errHttp4xx,
        errHttp5xx: windows.errHttp5xx,
        errAssertion: windows.errAssertion,
        dropped: windows.dropped,
        latency: windows.latency,
        failedLatency: windows.failedLatency,
        causes: windows.causes,
      })
      .from(windows)
      .where(
        and(
          eq(windows.runId, runId),
          eq(windows.step, step),
          gte(windows.second, from),
          lt(windows.second, to),
        ),
      );
    // Rows come in index order (worker, then second): grouped by minute first, so each minute is
    // merged whole into the one scratch histogram, encoded, and the scratch cleared for the next.
    const byMinute = new Map<number, (typeof rows)[number][]>();
    for (const r of rows) {
      const minute = Math.floor(r.second / MINUTE) * MINUTE;
      if (!wanted.has(minute)) continue;
      const list = byMinute.get(minute);
      if (list) list.push(r);
      else byMinute.set(minute, [r]);
    }
    const merges: StoredMerge[] = [];
    for (const [minute, list] of byMinute) {
      const latency = scratch.latency();
      let failed: Histogram | undefined;
      let count = 0;
      const causes: CauseCounts = {};
      for (const r of list) {
        if (performance.now() - sliceStart > SLICE_MS) {
          await yieldToLoop();
          sliceStart = performance.now();
        }
        count += r.count;
        // A raw window is merged into its minute once; the minute's merge is what is read again.
        addEncoded(latency, r.latency, true);
        if (r.failedLatency) {
          failed ??= scratch.failed();
          addEncoded(failed, r.failedLatency, true);
        }
        mergeCauses(
          causes,
          causesOf({
            step,
            ...(r.causes ? { causes: r.causes } : {}),
            dropped: r.dropped,
            errors: rowErrors(r),
          }),
        );
      }
      merges.push({
        ...merged(list[0]!.projectId, list.length, count, latency, failed, causes),
        step,
        span: MINUTE,
        start: minute,
      });
    }
    await done(merges);
  }
}

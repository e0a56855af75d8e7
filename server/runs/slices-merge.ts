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
    const acc = new Map<
      number,
      {
        projectId: string;
        rows: number;
        count: number;
        latency: Histogram;
        failed: Histogram | undefined;
        causes: CauseCounts;
      }
    >();
    for (const r of rows) {
      if (performance.now() - sliceStart > SLICE_MS) {
        await yieldToLoop();
        sliceStart = performance.now();
      }
      const minute = Math.floor(r.second / MINUTE) * MINUTE;
      if (!wanted.has(minute)) continue;
      let a = acc.get(minute);
      if (!a) {
        a = {
          projectId: r.projectId,
          rows: 0,
          count: 0,
          latency: newHistogram(),
          failed: undefined,
          causes: {},
        };
        acc.set(minute, a);
      }
      a.rows++;
      a.count += r.count;
      // A raw window is merged into its minute once; the minute's merge is what is read again.
      addEncoded(a.latency, r.latency, true);
      if (r.failedLatency) {
        a.failed ??= newHistogram();
        addEncoded(a.failed, r.failedLatency, true);
      }
      mergeCauses(
        a.causes,
        causesOf({
          step,
          ...(r.causes ? { causes: r.causes } : {}),
          dropped: r.dropped,
          errors: rowErrors(r),
        }),
      );
    }
    await done(
      [...acc].map(([minute, a]) => ({
        ...merged(a.projectId, a.rows, a.count, a.latency, a.failed, a.causes),
        step,
        span: MINUTE,
        start: minute,
      })),
    );
  }
}

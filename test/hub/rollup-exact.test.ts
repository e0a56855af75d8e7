import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  encodeHistogram,
  mergeEncoded,
  newHistogram,
  recordMicros,
  summarize,
} from "../../core/histogram.ts";
import { DEFAULT_PROJECT_ID } from "../../core/names.ts";
import type { Window } from "../../core/window.ts";
import { storeWindows } from "../../server/ingest/store.ts";
import { summarizeBySteps } from "../../server/runs/slices.ts";
import { loadReportSlices, loadSlices, loadSummarySlices } from "../../server/runs/slices-query.ts";
import { MinuteRollups } from "../../server/runs/slices-rollup.ts";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../helpers/db.ts";
import { makeWindow } from "./fixtures.ts";

for (const kind of databaseKinds) {
  describe(`[${kind}] reads of a long run from roll-ups`, () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await createTestDatabase(kind, ["hub"]);
    });
    afterAll(async () => {
      await database?.close();
    });

    it("hour merges of minute merges give the totals and percentiles of every raw window", async () => {
      // 3 steps × 4,000 seconds (past RAW_SLICE_LIMIT), three different histograms spread unevenly.
      const shapes = [
        [1000, 2000, 3000],
        [900, 45_000, 46_000, 47_000, 48_000],
        [120_000, 250_000],
      ].map((samples) => makeWindow({ runId: "r", step: "s", worker: "w", second: 0 }, samples));
      const start = 1_700_000_000 - 4_000;
      await database.db.execute(
        sql`insert into hub.windows (run_id, step, worker, second, count, err_connect, err_timeout, err_http4xx, err_http5xx, err_assertion, bytes, target_rate, achieved_rate, dropped, latency)
            select 'long', st, 'w1', s,
              case when (s * 7 + length(st)) % 11 = 0 then 5 when (s * 7 + length(st)) % 5 = 0 then 2 else 3 end,
              0, 0, 0, (s % 13 = 0)::int, 0, 100, 3, 3, 0,
              case when (s * 7 + length(st)) % 11 = 0 then ${shapes[1]!.latency} when (s * 7 + length(st)) % 5 = 0 then ${shapes[2]!.latency} else ${shapes[0]!.latency} end
            from generate_series(${start}::bigint, ${start + 3_999}::bigint) as s, unnest(array['browse', 'cart', 'journey']) as st`,
      );
      const rollups = new MinuteRollups(database.db, { now: () => Date.now(), intervalMs: 0 });
      const raw = summarizeBySteps(await loadSlices(database.db, "long"));
      const summary = await loadSummarySlices(database.db, "long", {}, rollups);
      // One slice per step and hour: 4,000 s touch two or three hours.
      expect(summary.length).toBeLessThanOrEqual(9);
      expect(summarizeBySteps(summary)).toEqual(raw);
      // Again from the cache, and report.html's pair from one read.
      expect(summarizeBySteps(await loadSummarySlices(database.db, "long", {}, rollups))).toEqual(raw);
      const report = await loadReportSlices(database.db, "long", {}, rollups);
      expect(summarizeBySteps(report.totals)).toEqual(raw);
      expect(summarizeBySteps(report.slices)).toEqual(raw);
      expect(report.slices.every((s) => s.span > 1)).toBe(true);

      // A late window changes its hour: the stale merge is not used.
      await database.db.execute(
        sql`update hub.windows set count = 5, latency = ${shapes[1]!.latency} where run_id = 'long' and step = 'cart' and second = ${start + 10}`,
      );
      const changed = summarizeBySteps(await loadSlices(database.db, "long", { step: "cart" })).steps.cart;
      expect(changed).not.toEqual(raw.steps.cart);
      expect(summarizeBySteps(await loadSummarySlices(database.db, "long", {}, rollups)).steps.cart).toEqual(
        changed,
      );
      await rollups.stop();

      // After a restart (a fresh cache), reads come from the stored merges: the same figures.
      const stored = await database.db.execute(
        sql`select span, count(*)::int as n from hub.window_merges where run_id = 'long' group by span order by span`,
      );
      const spans = (Array.isArray(stored) ? stored : (stored as { rows: unknown[] }).rows) as Array<{
        span: number;
        n: number;
      }>;
      expect(spans.map((r) => r.span)).toEqual([60, 3600]);
      const restarted = new MinuteRollups(database.db, { now: () => Date.now(), intervalMs: 0 });
      const current = summarizeBySteps(await loadSlices(database.db, "long"));
      expect(summarizeBySteps(await loadSummarySlices(database.db, "long", {}, restarted))).toEqual(current);
      const again = await loadReportSlices(database.db, "long", {}, restarted);
      expect(summarizeBySteps(again.slices)).toEqual(current);
      expect(summarizeBySteps(again.totals)).toEqual(current);

      // A window changed while the hub was down: its stored minute and hour are stale, not used.
      await database.db.execute(
        sql`update hub.windows set count = 2, latency = ${shapes[2]!.latency} where run_id = 'long' and step = 'browse' and second = ${start + 3_000}`,
      );
      const later = summarizeBySteps(await loadSlices(database.db, "long"));
      expect(later.steps.browse).not.toEqual(current.steps.browse);
      const afterChange = new MinuteRollups(database.db, { now: () => Date.now(), intervalMs: 0 });
      expect(summarizeBySteps(await loadSummarySlices(database.db, "long", {}, afterChange))).toEqual(later);
      expect(summarizeBySteps((await loadReportSlices(database.db, "long", {}, afterChange)).slices)).toEqual(
        later,
      );
      await restarted.stop();
      await afterChange.stop();
    }, 60_000);

    it("each minute's merge holds its own windows only, after a minute that grew past an hour", async () => {
      // Minutes merged one after another reuse one histogram: a minute with a 2-hour latency (its
      // histogram resized), then ordinary ones, failed latencies in some: each merge is exactly the
      // union of its minute's raw windows, as merged into a fresh histogram.
      const encode = (samples: number[]) => {
        const h = newHistogram();
        for (const s of samples) recordMicros(h, s);
        return encodeHistogram(h);
      };
      const start = 1_700_000_000 - 3_600 - 600;
      const raw = new Map<number, { latency: string[]; failed: string[] }>();
      for (let second = start; second < start + 240; second++) {
        for (const worker of ["w1", "w2"]) {
          const minute = Math.floor(second / 60) * 60;
          const i = second - start;
          const latency = encode(
            i === 5 && worker === "w2" ? [7_200_000_000, 900] : [100 + ((i * 37) % 5000), 20_000 + i],
          );
          const failed = i % 7 === 0 && minute !== Math.floor(start / 60) * 60 ? encode([30_000 + i]) : null;
          const m = raw.get(minute) ?? { latency: [], failed: [] };
          m.latency.push(latency);
          if (failed) m.failed.push(failed);
          raw.set(minute, m);
          await database.db.execute(
            sql`insert into hub.windows (run_id, step, worker, second, count, err_connect, err_timeout, err_http4xx, err_http5xx, err_assertion, bytes, target_rate, achieved_rate, dropped, latency, failed_latency)
                values ('minutes', 'browse', ${worker}, ${second}, 2, 0, 0, 0, ${failed ? 1 : 0}, 0, 100, 2, 2, 0, ${latency}, ${failed})`,
          );
        }
      }
      const rollups = new MinuteRollups(database.db, { now: () => Date.now(), intervalMs: 0 });
      const slices = await rollups.minuteSlices("minutes", {});
      expect(slices.map((s) => s.second)).toEqual([...raw.keys()].sort((a, b) => a - b));
      for (const slice of slices) {
        const expected = raw.get(slice.second)!;
        const union = mergeEncoded(expected.latency);
        expect(summarize(mergeEncoded([slice.latency]))).toEqual(summarize(union));
        expect(slice.latency).toBe(encodeHistogram(union));
        expect(slice.failedLatency).toBe(
          expected.failed.length > 0 ? encodeHistogram(mergeEncoded(expected.failed)) : undefined,
        );
      }
      await rollups.stop();
    }, 60_000);

    it("minutes folded as their windows are stored read as their raw rows, replays and other replicas included", async () => {
      const start = 1_700_000_000 - 7_200;
      const first = Math.ceil(start / 60) * 60;
      const at = (second: number, worker: string, samples: number[]) =>
        makeWindow({ runId: "folded", step: "browse", worker, second }, samples);
      const stored: Window[] = [];
      for (let s = first; s < first + 240; s++)
        for (const worker of ["w1", "w2"]) stored.push(at(s, worker, [100 + ((s * 37) % 5000), 20_000 + s]));
      const rollups = new MinuteRollups(database.db, {
        now: () => (first + 3_600) * 1000,
        intervalMs: 0,
      });
      for (let i = 0; i < stored.length; i += 100) {
        const batch = stored.slice(i, i + 100);
        await storeWindows(database.db, batch, DEFAULT_PROJECT_ID);
        rollups.noteIngested(batch, DEFAULT_PROJECT_ID);
      }
      // Minute 2: one window replayed with other latencies (its row replaced, not added to).
      const replay = at(first + 125, "w1", [900_000]);
      await storeWindows(database.db, [replay], DEFAULT_PROJECT_ID);
      rollups.noteIngested([replay], DEFAULT_PROJECT_ID);
      // Minute 3: a window another replica stored, which this one never saw.
      await storeWindows(database.db, [at(first + 190, "w3", [777_000])], DEFAULT_PROJECT_ID);
      await rollups.folded();
      await rollups.mergeSettled();

      const rawRows = summarizeBySteps(await loadSlices(database.db, "folded"));
      const perMinute = new Map<number, string[]>();
      for (const slice of await loadSlices(database.db, "folded")) {
        const minute = Math.floor(slice.second / 60) * 60;
        perMinute.set(minute, [...(perMinute.get(minute) ?? []), slice.latency]);
      }
      const slices = await rollups.minuteSlices("folded", {});
      expect(slices.map((s) => s.second)).toEqual([first, first + 60, first + 120, first + 180]);
      for (const slice of slices)
        expect(slice.latency).toBe(encodeHistogram(mergeEncoded(perMinute.get(slice.second)!)));
      expect(summarizeBySteps(slices)).toEqual(rawRows);
      // The folds were stored for later reads and other replicas: all four minutes, one row each.
      const merges = await database.db.execute(
        sql`select start, rows from hub.window_merges where run_id = 'folded' and span = 60 order by start`,
      );
      const rows = (Array.isArray(merges) ? merges : (merges as { rows: unknown[] }).rows) as Array<{
        start: number;
        rows: number;
      }>;
      expect(rows.map((r) => [Number(r.start), r.rows])).toEqual([
        [first, 120],
        [first + 60, 120],
        [first + 120, 120],
        [first + 180, 121],
      ]);
      await rollups.stop();
    }, 60_000);
  });
}

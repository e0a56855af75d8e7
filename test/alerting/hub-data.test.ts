import { expect, it } from "vitest";
import { DEFAULT_PROJECT_ID } from "../../core/api/projects.ts";
import { encodeHistogram, newHistogram, recordMicros } from "../../core/histogram.ts";
import type { Window } from "../../core/window.ts";
import type { DataSpan } from "../../server/alerting/data.ts";
import { hubDataSource } from "../../server/alerting/hub-data.ts";
import { storeProbeResults, storeRunReport, storeWindows } from "../../server/ingest/store.ts";
import { probeResult } from "../helpers/alerting.ts";
import { describeEachDatabase } from "../helpers/db.ts";

const latency = (() => {
  const h = newHistogram();
  recordMicros(h, 1500);
  return encodeHistogram(h);
})();

function window(second: number, errors: number, step = "checkout", runId = "run-1"): Window {
  return {
    runId,
    step,
    worker: "w0",
    second,
    count: 10,
    errors: { connect: 0, timeout: 1, http4xx: errors, http5xx: 0, assertion: 0 },
    bytes: 100,
    targetRate: 5,
    achievedRate: 5,
    dropped: 0,
    latency,
  };
}

const span = (until: number, back: number, latencyBack: number): DataSpan => ({
  windowsFromSecond: until - back,
  latencyFromSecond: until - latencyBack,
  untilSecond: until,
  probesFromMs: (until - 60) * 1000,
  metricsFromMs: until * 1000,
});

describeEachDatabase("alerting's view of the hub tables", ["hub", "alerting"], (get) => {
  it("reads windows with their run's target origin, histograms only in the latency span, probes by time", async () => {
    const { db } = get();
    await storeRunReport(
      db,
      {
        runId: "run-1",
        profile: "smoke",
        target: "http://127.0.0.1:4100/",
        status: "running",
        startedAt: 1_000_000,
        workers: 1,
        workerLosses: [],
        thresholds: [],
        faults: [],
      },
      DEFAULT_PROJECT_ID,
    );
    await storeWindows(
      db,
      [window(1000, 2), window(1001, 3), window(1001, 0, "search"), window(1002, 4)],
      DEFAULT_PROJECT_ID,
    );
    await storeProbeResults(
      db,
      [
        probeResult("home", false, {
          target: "http://127.0.0.1:4100/api/products",
          startedAt: 1_002_500,
          phases: { dns: 0, connect: 1, tls: 0, firstByte: 2, transfer: 1, total: 4 },
        }),
      ],
      DEFAULT_PROJECT_ID,
    );
    let clock = 0;
    const source = hubDataSource(db, { steps: () => ["checkout"], now: () => clock });
    const first = await source.load(span(1003, 3, 1));
    expect(first.windows.map((w) => [w.second, w.errorCount, w.target, w.latency !== undefined])).toEqual(
      expect.arrayContaining([
        [1000, 3, "http://127.0.0.1:4100", false],
        [1001, 4, "http://127.0.0.1:4100", false],
        [1002, 5, "http://127.0.0.1:4100", true],
      ]),
    );
    expect(first.windows).toHaveLength(3);
    expect(first.probes).toMatchObject([{ probe: "home", ok: false, totalMs: 4 }]);

    // Next evaluation: a replayed recent window and a new one are seen; the oldest falls out.
    await storeWindows(db, [window(1002, 9), window(1003, 1)], DEFAULT_PROJECT_ID);
    clock += 1000;
    const second = await source.load(span(1004, 3, 1));
    expect(second.windows.map((w) => [w.second, w.errorCount]).sort()).toEqual([
      [1001, 4],
      [1002, 10],
      [1003, 2],
    ]);
  });

  it("re-reads the last seconds on every evaluation, and windows replayed later within 15 s", async () => {
    const { db } = get();
    let clock = 0;
    const source = hubDataSource(db, { steps: () => ["checkout"], now: () => clock });
    const errorsAt = async (until: number) =>
      new Map(
        (await source.load(span(until, 300, 30))).windows
          .filter((w) => w.runId === "run-2")
          .map((w) => [w.second, w.errorCount]),
      );
    const late = (second: number, errors: number) => window(second, errors, "checkout", "run-2");
    await storeWindows(db, [late(1000, 1), late(1090, 1)], DEFAULT_PROJECT_ID);
    expect(await errorsAt(1100)).toEqual(
      new Map([
        [1000, 2],
        [1090, 2],
      ]),
    );
    // A second or two late: seen by the next evaluation.
    await storeWindows(db, [late(1095, 4)], DEFAULT_PROJECT_ID);
    clock += 1000;
    expect((await errorsAt(1101)).get(1095)).toBe(5);
    // Replayed 100 s late (a generator retrying after a hub outage): not re-read at once ...
    await storeWindows(db, [late(1000, 7), late(1001, 7)], DEFAULT_PROJECT_ID);
    clock += 1000;
    const soon = await errorsAt(1102);
    expect([soon.get(1000), soon.has(1001)]).toEqual([2, false]);
    // ... but within 15 s of the last re-read of the last 120 s.
    clock += 14_000;
    const later = await errorsAt(1116);
    expect([later.get(1000), later.get(1001)]).toEqual([8, 8]);
  });
});

import { describe, expect, it } from "vitest";
import { encodeHistogram, mergeEncoded } from "../../core/histogram.ts";
import type { Window } from "../../core/window.ts";
import { makeWindow } from "../../test/hub/fixtures.ts";
import type { MergedStretch, StoredMerge } from "./merge-store.ts";
import { MinuteFolds, type MinuteFoldsOptions } from "./minute-folds.ts";

/** A MinuteFolds whose sink keeps what it is told, as MinuteRollups does. */
function folds(options: MinuteFoldsOptions = {}) {
  const merges = new Map<string, StoredMerge>();
  const database = new Set<string>();
  const key = (runId: string, step: string, minute: number) => `${runId}/${step}/${minute}`;
  const f = new MinuteFolds(
    {
      mergeOf: (runId, step, minute): MergedStretch | "database" | undefined =>
        database.has(key(runId, step, minute)) ? "database" : merges.get(key(runId, step, minute)),
      finished: (runId, merge) => merges.set(key(runId, merge.step, merge.start), merge),
      fallBack: (runId, step, minute) => database.add(key(runId, step, minute)),
    },
    options,
  );
  return { f, merges, database, key };
}

const T = 1_700_000_040; // a minute starts here
const windowAt = (
  second: number,
  worker = "w1",
  samples = [1000 + (second % 7), 40_000],
  extra: Partial<Window> = {},
) => makeWindow({ runId: "r", step: "browse", worker, second }, samples, extra);

describe("minute folds", () => {
  it("a settled minute's merge is exactly the union of the windows stored in it", async () => {
    const { f, merges, key } = folds();
    const windows = [T, T + 1, T + 59].flatMap((s) => [
      windowAt(s, "w1"),
      windowAt(s, "w2", [5, 3_000_000], {
        errors: { connect: 0, timeout: 0, http4xx: 0, http5xx: 1, assertion: 0 },
        causes: { http_503: { count: 1, message: "503 Service Unavailable" } },
        failedLatency: makeWindow({ runId: "r", step: "browse", worker: "w2", second: s }, [70_000]).latency,
      }),
    ]);
    f.add(windows.slice(0, 3), "p1");
    f.add(windows.slice(3), "p1");
    // The next minute is still open: only minutes up to T are finished.
    f.add([windowAt(T + 60)], "p1");
    await f.idle();
    expect(merges.size).toBe(0);
    await f.finishUpTo(T);
    const m = merges.get(key("r", "browse", T))!;
    expect(m).toMatchObject({ projectId: "p1", rows: 6, count: 12, span: 60, start: T });
    expect(m.latency).toBe(encodeHistogram(mergeEncoded(windows.map((w) => w.latency))));
    expect(m.failedLatency).toBe(
      encodeHistogram(mergeEncoded(windows.flatMap((w) => w.failedLatency ?? []))),
    );
    expect(m.causes).toEqual({ http_503: { count: 3, message: "503 Service Unavailable" } });
    expect(merges.has(key("r", "browse", T + 60))).toBe(false);
    expect(f.open).toBe(1);
  });

  it("a window arriving after its minute was finished goes on from the merge made", async () => {
    const { f, merges, key } = folds();
    f.add([windowAt(T), windowAt(T + 1)], "p1");
    await f.idle();
    await f.finishUpTo(T);
    f.add([windowAt(T + 30)], "p1");
    await f.idle();
    await f.finishUpTo(T);
    const m = merges.get(key("r", "browse", T))!;
    expect(m.rows).toBe(3);
    expect(m.latency).toBe(encodeHistogram(mergeEncoded([T, T + 1, T + 30].map((s) => windowAt(s).latency))));
  });

  it("a replayed window sends its minute to the database merge instead of counting it twice", async () => {
    const { f, merges, database, key } = folds();
    f.add([windowAt(T), windowAt(T + 1)], "p1");
    f.add([windowAt(T + 1)], "p1");
    // Later windows of that minute are not folded either: the database merge takes them all.
    f.add([windowAt(T + 2)], "p1");
    await f.idle();
    await f.finishUpTo(T);
    expect(database.has(key("r", "browse", T))).toBe(true);
    expect(merges.size).toBe(0);
    expect(f.open).toBe(0);
  });

  it("another project's window for the same minute is not merged with the first project's", async () => {
    const { f, merges, database, key } = folds();
    f.add([windowAt(T)], "p1");
    f.add([windowAt(T + 1)], "p2");
    await f.idle();
    await f.finishUpTo(T);
    expect(database.has(key("r", "browse", T))).toBe(true);
    expect(merges.size).toBe(0);
  });

  it("holds at most maxOpen minutes, finishing the least recently fed first", async () => {
    const { f, merges, key } = folds({ maxOpen: 2 });
    f.add([windowAt(T), windowAt(T + 60), windowAt(T + 1), windowAt(T + 120)], "p1");
    await f.idle();
    expect(f.open).toBe(2);
    expect([...merges.keys()]).toEqual([key("r", "browse", T + 60)]);
  });

  it("windows beyond maxPending are left to the database merge, and maxWorkersPerMinute bounds a minute", async () => {
    const { f, database, merges, key } = folds({ maxPending: 3, maxWorkersPerMinute: 2 });
    f.add([windowAt(T, "w1"), windowAt(T + 1, "w2")], "p1");
    f.add([windowAt(T + 60), windowAt(T + 61)], "p1");
    expect(database.has(key("r", "browse", T + 60))).toBe(true);
    f.add([windowAt(T + 2, "w3")], "p1");
    await f.idle();
    await f.finishUpTo(T + 60);
    expect(database.has(key("r", "browse", T))).toBe(true);
    expect(merges.size).toBe(0);
  });

  it("stop drops what is pending and takes nothing more", async () => {
    const { f, merges } = folds();
    f.add([windowAt(T)], "p1");
    await f.stop();
    f.add([windowAt(T + 1)], "p1");
    await f.idle();
    await f.finishUpTo(T + 60);
    expect(merges.size).toBe(0);
  });
});

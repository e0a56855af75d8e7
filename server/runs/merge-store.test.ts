import { expect, it } from "vitest";
import { describeEachDatabase } from "../../test/helpers/db.ts";
import { MergeStore, MINUTE, type StoredMerge } from "./merge-store.ts";

const projectId = "00000000-0000-0000-0000-000000000001";
const merge = (start: number, rows: number): StoredMerge => ({
  projectId,
  step: "browse",
  span: MINUTE,
  start,
  rows,
  count: rows * 100,
  latency: `latency of ${rows} rows`,
  failedLatency: undefined,
  causes: {},
});

describeEachDatabase("MergeStore", ["hub"], (db) => {
  it("saves a stretch listed twice once, as listed last (a minute finished again)", async () => {
    const store = new MergeStore(db().db);
    await store.save("run-twice", [merge(60, 7), merge(120, 60), merge(60, 9)]);
    const stored = await store.load("run-twice", MINUTE, {});
    expect(stored.map((m) => [m.start, m.rows, m.latency]).sort()).toEqual([
      [120, 60, "latency of 60 rows"],
      [60, 9, "latency of 9 rows"],
    ]);
  });
});

import { eq } from "drizzle-orm";
import { expect, it } from "vitest";
import { DEFAULT_PROJECT_ID } from "../../core/api/projects.ts";
import { projects, windows } from "../../db/schema/hub.ts";
import { WindowWriter, WriterBusy } from "../../server/ingest/window-writer.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { makeWindow } from "./fixtures.ts";

const key = (runId: string, second: number) => ({ runId, step: "browse", worker: "w1", second });

describeEachDatabase("window writer (group commit)", ["hub"], (db) => {
  const rowsOf = (runId: string) =>
    db()
      .db.select({ second: windows.second, count: windows.count, projectId: windows.projectId })
      .from(windows)
      .where(eq(windows.runId, runId))
      .orderBy(windows.second);

  it("stores concurrent batches together and answers each with its own count", async () => {
    const writer = new WindowWriter(db().db, { maxInFlight: 1 });
    const batches = Array.from({ length: 20 }, (_, b) =>
      Array.from({ length: 5 + b }, (_, i) => makeWindow(key("together", b * 100 + i), [1000])),
    );
    const answers = await Promise.all(batches.map((batch) => writer.store(batch, DEFAULT_PROJECT_ID)));
    expect(answers).toEqual(batches.map((batch) => batch.length));
    const rows = await rowsOf("together");
    expect(rows).toHaveLength(batches.flat().length);
    expect(rows.reduce((sum, r) => sum + r.count, 0)).toBe(batches.flat().length);
  });

  it("a window sent again in a later concurrent batch keeps the later figures, once", async () => {
    const writer = new WindowWriter(db().db, { maxInFlight: 1 });
    const first = [makeWindow(key("later", 1), [1000]), makeWindow(key("later", 2), [1000])];
    const second = [makeWindow(key("later", 2), [1000, 1000, 1000])];
    expect(
      await Promise.all([writer.store(first, DEFAULT_PROJECT_ID), writer.store(second, DEFAULT_PROJECT_ID)]),
    ).toEqual([2, 1]);
    expect((await rowsOf("later")).map((r) => [r.second, r.count])).toEqual([
      [1, 1],
      [2, 3],
    ]);
  });

  it("another project's concurrent batch of the same window does not take the row over", async () => {
    const [other] = await db()
      .db.insert(projects)
      .values({ slug: "writer-other", name: "Other" })
      .returning({ id: projects.id });
    const writer = new WindowWriter(db().db, { maxInFlight: 1 });
    await Promise.all([
      writer.store([makeWindow(key("owned", 1), [1000])], DEFAULT_PROJECT_ID),
      writer.store([makeWindow(key("owned", 1), [1000, 1000])], other!.id),
    ]);
    expect(await rowsOf("owned")).toEqual([{ second: 1, count: 1, projectId: DEFAULT_PROJECT_ID }]);
  });

  it("a batch the database refuses fails alone; the batches sent with it are stored", async () => {
    const writer = new WindowWriter(db().db, { maxInFlight: 1 });
    // A NUL character: no Postgres text column takes it.
    const bad = [makeWindow(key("bad\u0000run", 1), [1000])];
    const results = await Promise.allSettled([
      writer.store([makeWindow(key("beside", 1), [1000])], DEFAULT_PROJECT_ID),
      writer.store(bad, DEFAULT_PROJECT_ID),
      writer.store([makeWindow(key("beside", 2), [1000])], DEFAULT_PROJECT_ID),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(await rowsOf("beside")).toHaveLength(2);
  });

  it("refuses a batch at once, storing none of it, while the rows waiting are at the limit", async () => {
    const writer = new WindowWriter(db().db, { maxInFlight: 1, maxQueuedRows: 10 });
    const batch = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => makeWindow(key("bounded", from + i), [1000]));
    // Both wait for the next turn's statement: 10 rows queued, the limit.
    const first = writer.store(batch(0, 5), DEFAULT_PROJECT_ID);
    const second = writer.store(batch(5, 5), DEFAULT_PROJECT_ID);
    expect(writer.queuedRows).toBe(10);
    const refused = await writer.store(batch(10, 1), DEFAULT_PROJECT_ID).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WriterBusy);
    expect((refused as WriterBusy).queuedRows).toBe(10);
    expect(await Promise.all([first, second])).toEqual([5, 5]);
    expect(writer.queuedRows).toBe(0);
    // Drained: the same batch goes now.
    expect(await writer.store(batch(10, 1), DEFAULT_PROJECT_ID)).toBe(1);
    expect((await rowsOf("bounded")).map((r) => r.second)).toEqual(Array.from({ length: 11 }, (_, i) => i));
  });

  it("takes a batch larger than the limit when nothing waits", async () => {
    const writer = new WindowWriter(db().db, { maxQueuedRows: 2 });
    const big = Array.from({ length: 5 }, (_, i) => makeWindow(key("big-alone", i), [1000]));
    expect(await writer.store(big, DEFAULT_PROJECT_ID)).toBe(5);
  });
});

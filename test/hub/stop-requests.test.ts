import { eq } from "drizzle-orm";
import { expect, it } from "vitest";
import { DEFAULT_PROJECT_ID } from "../../core/api/projects.ts";
import { RunReportSchema } from "../../core/run.ts";
import { componentDomains } from "../../db/domains.ts";
import { runs } from "../../db/schema/hub.ts";
import { StopRequests } from "../../server/ingest/stop-requests.ts";
import { storeRunReport } from "../../server/ingest/store.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { makeRunReport } from "./fixtures.ts";

/** Lets the background read that `of()` started finish. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setTimeout(resolve, 5));
}

describeEachDatabase("stop requests in the ingest answer", componentDomains.hub, (db) => {
  it("a run's first batch reads its request; later ones are answered from memory and refreshed behind the reply", async () => {
    let now = 1_000_000;
    const requests = new StopRequests(db().db, 1000, () => now);
    for (const runId of ["sr-a", "sr-b"])
      await storeRunReport(db().db, RunReportSchema.parse(makeRunReport(runId)), DEFAULT_PROJECT_ID);
    await db().db.update(runs).set({ stopRequest: "abort" }).where(eq(runs.runId, "sr-a"));

    // First batch: read now, so a run asked to stop before it reported is told at once.
    expect(await requests.of(["sr-a", "sr-b", "sr-a"])).toEqual({ "sr-a": "abort" });

    // A stop asked meanwhile is not seen before the answer is due.
    await db().db.update(runs).set({ stopRequest: "stop" }).where(eq(runs.runId, "sr-b"));
    now += 500;
    expect(await requests.of(["sr-b"])).toBeUndefined();
    await settle();
    expect(await requests.of(["sr-b"])).toBeUndefined();

    // Due: this batch gets the old answer and starts the read; the next one has it.
    now += 600;
    expect(await requests.of(["sr-b"])).toBeUndefined();
    await settle();
    expect(await requests.of(["sr-b"])).toEqual({ "sr-b": "stop" });
    expect(await requests.of(["sr-a", "sr-b"])).toEqual({ "sr-a": "abort", "sr-b": "stop" });
  });

  it("a run nobody stored is answered with no stop", async () => {
    const requests = new StopRequests(db().db);
    expect(await requests.of(["sr-unknown"])).toBeUndefined();
  });
});

import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Window, windowKey } from "../../core/window.ts";
import { runs, windows as windowRows } from "../../db/schema/hub.ts";
import { loadHubConfig } from "../../server/config.ts";
import { type RunningHub, startHub } from "../../server/hub.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { getProfile, runInProcess, startTestTarget, type TestTarget } from "../helpers/loadgen.ts";

describeEachDatabase("the hub dies mid-run and comes back", ["hub", "alerting"], (get) => {
  let target: TestTarget;
  beforeAll(async () => {
    target = await startTestTarget();
  });
  afterAll(async () => {
    await target.close();
  });

  it("stores every window of the run exactly once: hub request count equals requests generated", async () => {
    const database = get();
    const token = `agent_${randomBytes(12).toString("hex")}`;
    const start = (port: number) =>
      startHub({
        db: database.db,
        driver: database.driver,
        config: loadHubConfig({
          PEAKWATCH_HUB_PORT: String(port),
          PEAKWATCH_HOST: "127.0.0.1",
          PEAKWATCH_AGENT_TOKEN: token,
          HUB_SCRAPE_INTERVAL_SECONDS: "0",
        }),
      });
    let hub: RunningHub = await start(0);
    const port = hub.port;
    const runId = `outage-${randomBytes(4).toString("hex")}`;
    // Down from 2 s to 5 s into an 8 s run: windows of those seconds must wait on disk.
    const outage = (async () => {
      await new Promise((r) => setTimeout(r, 2000));
      await hub.close();
      await new Promise((r) => setTimeout(r, 3000));
      hub = await start(port);
    })();
    const profile = getProfile({ stages: [{ duration: "8s", rate: 100 }] });
    const logs: string[] = [];
    const outcome = await runInProcess(profile, target.url, {
      runId,
      log: (m) => logs.push(m),
      hub: { url: `http://127.0.0.1:${port}`, token, flushTimeoutMs: 30_000 },
    });
    await outage;
    try {
      const emitted: Window[] = outcome.windows;
      const stored = await database.db.select().from(windowRows).where(eq(windowRows.runId, runId));
      // The outage really happened: the generator spooled and retried.
      expect(logs.some((m) => /spooling windows to disk and retrying/.test(m))).toBe(true);
      expect(outcome.summary.hub).toMatchObject({ pending: 0, discarded: 0 });
      expect(stored).toHaveLength(emitted.length);
      expect(new Set(stored.map(windowKey)).size).toBe(stored.length);
      const requestsStored = stored.filter((w) => w.step !== "journey").reduce((n, w) => n + w.count, 0);
      expect(requestsStored).toBe(outcome.requests);
      expect(requestsStored).toBe(target.arrivals.length);
      expect(requestsStored).toBe(800);
      const [run] = await database.db.select().from(runs).where(eq(runs.runId, runId));
      expect(run?.status).toBe("passed");
    } finally {
      target.arrivals.length = 0;
      await hub.close();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds } from "../helpers/db.ts";
import { startTestHub, type TestHub, type TestSession } from "../helpers/hub.ts";

/** Worker 1 of every split run acts as one whose abort threshold stopped it (test/hub/fake-loadgen.mjs). */
const abortingLoadgen = ["node", "test/hub/fake-loadgen.mjs", "--abort-worker", "1"].join(",");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface RunBody {
  runId: string;
  status: string;
  verdict?: string;
  stoppedBy?: { expression: string; value: string; worker?: string };
}

for (const kind of databaseKinds) {
  describe(`[${kind}] a split run one of whose workers an abort threshold stopped`, () => {
    let t: TestHub;
    let ops: TestSession;
    beforeAll(async () => {
      t = await startTestHub({
        kind,
        env: { HUB_RUN_COMMAND: abortingLoadgen, HUB_RUN_START_DELAY_SECONDS: "0" },
      });
      ops = await t.loginAs("ops");
    });
    afterAll(async () => {
      await t?.close();
    });

    const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const res = await fetch(`${t.url}/api/v1${path}`, {
        method,
        headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...ops.headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      expect(res.status, `${method} ${path}`).toBeLessThan(300);
      return (await res.json()) as T;
    };

    /** The run once it has ended, or as it is after 30 s. */
    const ended = async (run: RunBody): Promise<RunBody> => {
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline && (run.status === "starting" || run.status === "running")) {
        await sleep(200);
        run = (await call<{ run: RunBody }>("GET", `/runs/${run.runId}`)).run;
      }
      return run;
    };

    it("stops the other workers at once and ends failed, naming the threshold and the worker", async () => {
      const started = await call<{ run: RunBody }>("POST", "/runs", { profile: "smoke", workers: 3 });
      const { runId } = started.run;
      // Left alone, the other two workers would run for 60 s: the run ends long before only if the hub stopped them.
      const run = await ended(started.run);
      expect(run.status).toBe("failed");
      expect(run.verdict).toMatch(/^failed: .*stopped early: error_rate < 20% was 31\.2 % on worker w1$/);
      expect(run.stoppedBy).toEqual({ expression: "error_rate < 20%", value: "31.2 %", worker: "w1" });
      const { workers } = await call<{
        workers: Array<{ worker: string; state: string; exitCode: number | null }>;
      }>("GET", `/runs/${runId}/workers`);
      // Worker 1 failed on its threshold; the hub stopped the others, which flushed and exited 130: none lost.
      expect(workers.map((w) => [w.worker, w.state, w.exitCode])).toEqual([
        ["w0", "exited", 130],
        ["w1", "exited", 1],
        ["w2", "exited", 130],
      ]);
    }, 60_000);

    it("a user's stop of a split run still ends it aborted", async () => {
      const started = await call<{ run: RunBody }>("POST", "/runs", { profile: "smoke", workers: 2 });
      const { runId } = started.run;
      // Worker 1 reports its abort 300 ms after it starts; stopping before that is the user's stop.
      await call("POST", `/runs/${runId}/stop`);
      expect((await ended(started.run)).status).toBe("aborted");
    }, 60_000);
  });
}

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds } from "../helpers/db.ts";
import { startTestHub, type TestHub, type TestSession } from "../helpers/hub.ts";

/** Worker 1 of a run split over 3 acts as one whose abort threshold stopped it (test/hub/fake-loadgen.mjs). */
const abortingLoadgen = ["node", "test/hub/fake-loadgen.mjs", "--abort-worker", "1/3"].join(",");
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

    it("only the run's own workers stop it: another agent token's stoppedBy is not acted on, and a user's stop ends it aborted", async () => {
      const started = await call<{ run: RunBody }>("POST", "/runs", { profile: "smoke", workers: 2 });
      const { runId } = started.run;
      let run = started.run;
      for (let i = 0; i < 100 && run.status !== "running"; i++) {
        await sleep(100);
        run = (await call<{ run: RunBody }>("GET", `/runs/${runId}`)).run;
      }
      const forged = await fetch(`${t.url}/api/v1/ingest/runs`, {
        method: "POST",
        headers: { ...t.agentHeaders, "content-type": "application/json" },
        body: JSON.stringify({
          runId,
          profile: "smoke",
          target: "http://127.0.0.1:4100",
          status: "failed",
          startedAt: Date.now(),
          workers: 2,
          stoppedBy: { expression: "error_rate < 20%", value: "99 %", worker: "w0" },
        }),
      });
      expect(forged.status).toBe(200);
      await sleep(1000);
      run = (await call<{ run: RunBody }>("GET", `/runs/${runId}`)).run;
      expect(run.status).toBe("running");
      expect(run.stoppedBy).toBeUndefined();
      await call("POST", `/runs/${runId}/stop`);
      expect((await ended(run)).status).toBe("aborted");
    }, 60_000);
  });
}

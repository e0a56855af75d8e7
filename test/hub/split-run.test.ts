import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { and, count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WorkerLoss } from "../../core/worker-loss.ts";
import { windows } from "../../db/schema/hub.ts";
import { startTestHub, type TestHub, type TestSession } from "../helpers/hub.ts";
import { alive } from "../helpers/up.ts";
import { makeWindow } from "./fixtures.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// One worker of a split run per process, sending a window a second (the generator's own split arrives with issue 16's loadgen side).
const splitWorker = ["node", "test/hub/fake-split-worker.mjs"].join(",");

interface Worker {
  worker: string;
  state: string;
  pid: number | null;
  lostReason: string | null;
}

describe("a hub-coordinated run over three worker processes", () => {
  let t: TestHub;
  let ops: TestSession;
  beforeAll(async () => {
    t = await startTestHub({
      env: {
        HUB_RUN_COMMAND: splitWorker,
        HUB_WORKER_TIMEOUT_SECONDS: "10",
        HUB_RUN_START_DELAY_SECONDS: "4",
      },
    });
    ops = await t.loginAs("ops");
    // What each worker sends a second, for smoke (30 s).
    const window = makeWindow(
      { runId: "x", step: "journey", worker: "x", second: 0 },
      [1000, 2000, 3000, 4000],
    );
    writeFileSync(planFile(), JSON.stringify({ seconds: 30, window }));
  });
  const planFile = () => join(tmpdir(), `pw-split-plan-${t.hub.port}.json`);
  afterAll(async () => {
    rmSync(planFile(), { force: true });
    await t?.close();
  });

  const call = async <T>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${t.url}/api/v1${path}`, {
      method,
      headers: { ...ops.headers, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  };

  it("one worker killed mid-run: the run ends degraded naming it and the missing share; the others' windows are all stored", async () => {
    const started = await call<{ run: { runId: string } }>("POST", "/runs", {
      profile: "smoke",
      target: "http://127.0.0.1:4100",
      workers: 3,
    });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const { runId } = started.body.run;
    const list = async () =>
      (await call<{ workers: Worker[] }>("GET", `/runs/${runId}/workers`)).body.workers;
    let workers: Worker[] = [];
    for (let i = 0; i < 150; i++) {
      workers = await list();
      if (workers.length === 3 && workers.every((w) => w.state === "running")) break;
      await sleep(200);
    }
    expect(
      workers.map((w) => w.state),
      JSON.stringify(workers),
    ).toEqual(["running", "running", "running"]);
    const victim = workers.find((w) => w.worker === "w1")!;
    process.kill(victim.pid!, "SIGKILL");

    let run: { status: string; verdict?: string; workerLosses: WorkerLoss[] } | undefined;
    for (let i = 0; i < 150; i++) {
      run = (await call<{ run: typeof run }>("GET", `/runs/${runId}`)).body.run;
      if (run && run.status !== "running" && run.status !== "starting") break;
      await sleep(200);
    }
    expect(run?.status).toBe("degraded");
    expect(run!.workerLosses).toHaveLength(1);
    const [loss] = run!.workerLosses;
    expect(loss).toMatchObject({
      worker: "w1",
      index: 1,
      workers: 3,
      reason: "exited on SIGKILL",
      plannedArrivals: 150,
    });
    // Killed in the first third of 30 s: w1's third of what was left, 2/9 to 1/3 of the run's arrivals.
    expect(loss!.missingShare).toBeGreaterThan(0.15);
    expect(loss!.missingShare).toBeLessThan(0.34);
    expect(run!.verdict).toMatch(
      /^degraded: worker w1 \(index 1 of 3\) stopped at .* s \(exited on SIGKILL\): \d+ % of arrivals not sent or not reported \(\d+ of 150\)/,
    );
    console.log(`split run: ${run!.verdict}`);

    const final = await list();
    expect(final.map((w) => [w.worker, w.state])).toEqual([
      ["w0", "exited"],
      ["w1", "lost"],
      ["w2", "exited"],
    ]);
    expect(alive(victim.pid!)).toBe(false);
    for (const w of ["w0", "w2"]) {
      const log = readFileSync(join(t.dataDir, "runs", runId, `${w}.log`), "utf8");
      const sent = Number(/sent (\d+) windows/.exec(log)?.[1]);
      const [stored] = await t.database.db
        .select({ n: count() })
        .from(windows)
        .where(and(eq(windows.runId, runId), eq(windows.worker, w)));
      expect(sent, `${w}: ${log}`).toBe(30);
      expect(stored?.n, w).toBe(sent);
    }
  }, 90_000);
});

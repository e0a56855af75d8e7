import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DEFAULT_PROJECT_ID } from "../../core/api/projects.ts";
import { RunReportSchema } from "../../core/run.ts";
import type { WorkerLoss } from "../../core/worker-loss.ts";
import { componentDomains } from "../../db/domains.ts";
import { runs } from "../../db/schema/hub.ts";
import { AgentTokens } from "../../server/auth/agent-tokens.ts";
import { type Cluster, postgresCluster, soleCluster } from "../../server/cluster/cluster.ts";
import { storeRunReport, storeWindows } from "../../server/ingest/store.ts";
import { RunCoordinator } from "../../server/runs/coordinator.ts";
import { RunWorkers } from "../../server/runs/run-workers.ts";
import { RunSupervisor } from "../../server/runs/supervisor.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { makeRunReport, makeWindow } from "./fixtures.ts";

/** A replica that died: its presence key is held by nobody. */
const LOST_REPLICA = 424_242;
const SECOND = 1000;

describeEachDatabase("run supervision", componentDomains.hub, (db, kind) => {
  let cluster: Cluster;
  // On a whole second, as window seconds are.
  let now = Math.ceil(Date.now() / 1000) * 1000;
  let supervisor: RunSupervisor;
  let coordinator: RunCoordinator;
  let workers: RunWorkers;
  let agents: AgentTokens;
  const changed: string[] = [];
  const logged: string[] = [];

  beforeAll(async () => {
    cluster = kind === "postgres" ? await postgresCluster(db().url!) : soleCluster();
    agents = new AgentTokens(db().db, undefined, () => now);
    workers = new RunWorkers(db().db, () => now);
    coordinator = new RunCoordinator({
      db: db().db,
      agents,
      workers,
      changed: (id) => changed.push(id),
      now: () => now,
      log: (line) => logged.push(line),
    });
    supervisor = newSupervisor();
  });
  afterAll(async () => {
    await cluster?.close();
  });
  /** A supervisor on the test's clock (a new one is a hub that just started). */
  const newSupervisor = () =>
    new RunSupervisor({
      db: db().db,
      cluster,
      leadership: cluster.leadership("supervision"),
      workers,
      coordinator,
      workerTimeoutMs: 5 * SECOND,
      runStaleMs: 10 * SECOND,
      now: () => now,
      changed: (id) => changed.push(id),
      log: (line) => logged.push(line),
    });

  const startRun = async (
    runId: string,
    count: number,
    supervisorKey: number,
    placement: "local" | "kubernetes" = "local",
  ) => {
    await db().db.insert(runs).values({
      runId,
      profile: "smoke",
      target: "http://127.0.0.1:4100",
      status: "running",
      startedAt: now,
      startAt: now,
      plannedSeconds: 30,
      workers: count,
      placement,
      supervisorKey,
    });
    await workers.register(
      runId,
      Array.from({ length: count }, (_, index) => ({ worker: `w${index}`, index, host: "h" })),
    );
    await agents.create(`run:${runId}`, null, null, DEFAULT_PROJECT_ID);
  };
  const report = (runId: string, worker: string, second: number) =>
    workers.heard([{ runId, worker, second }]);
  const runRow = async (runId: string) =>
    (await db().db.select().from(runs).where(eq(runs.runId, runId)))[0]!;

  it("closes a run whose replica died and whose workers are silent as aborted, and revokes its token", async () => {
    await startRun("orphan-silent", 1, LOST_REPLICA);
    now += 6 * SECOND;
    await supervisor.tick();
    const run = await runRow("orphan-silent");
    expect(run.status).toBe("aborted");
    expect(run.verdict).toMatch(/hub replica lost/);
    expect((await agents.list(DEFAULT_PROJECT_ID)).map((t) => t.name)).not.toContain("run:orphan-silent");
  });

  it("adopts a run whose replica died while its workers still report", async () => {
    await startRun("orphan-alive", 1, LOST_REPLICA);
    now += 2 * SECOND;
    await report("orphan-alive", "w0", Math.floor(now / 1000));
    await supervisor.tick();
    const run = await runRow("orphan-alive");
    expect(run.status).toBe("running");
    expect(run.supervisorKey).toBe(cluster.self.key);
    expect(logged.some((l) => l.includes("orphan-alive: its hub replica was lost; adopted"))).toBe(true);
  });

  it("a worker silent before the end is lost; the run ends degraded naming it and the share of the schedule missing", async () => {
    const start = now;
    await startRun("split", 3, cluster.self.key);
    // Every worker reports for 10 s; then w1 stops.
    for (let s = 0; s < 10; s++) {
      now = start + (s + 1) * SECOND;
      for (const w of ["w0", "w1", "w2"]) await report("split", w, Math.floor(start / 1000) + s);
    }
    for (let s = 10; s < 30; s++) {
      now = start + (s + 1) * SECOND;
      for (const w of ["w0", "w2"]) await report("split", w, Math.floor(start / 1000) + s);
      await supervisor.tick();
    }
    const states = Object.fromEntries((await workers.list("split")).map((w) => [w.worker, w.state]));
    expect(states).toEqual({ w0: "running", w1: "lost", w2: "running" });
    // After the planned end the others fall silent: they are done, and the run closes.
    now = start + 40 * SECOND;
    await supervisor.tick();
    const run = await runRow("split");
    expect(run.status).toBe("degraded");
    const losses = run.workerLosses as WorkerLoss[];
    expect(losses).toHaveLength(1);
    // smoke is 5 arrivals/s for 30 s: w1 (every third arrival) left seconds 10-30 undone.
    expect(losses[0]).toMatchObject({ worker: "w1", index: 1, workers: 3, stoppedAfterSeconds: 10 });
    expect(losses[0]!.missingArrivals).toBe(33);
    expect(losses[0]!.plannedArrivals).toBe(150);
    expect(losses[0]!.missingShare).toBeCloseTo(33 / 150, 6);
    expect(losses[0]!.reason).toMatch(/^no window for \d+ s$/);
    expect(run.verdict).toMatch(
      /^degraded: worker w1 .*22 % of arrivals not sent or not reported \(33 of 150\)/,
    );
  });

  it("pods that fall silent after a stop from the hub finished: the run ends aborted with no worker lost", async () => {
    for (const count of [1, 2]) {
      const runId = `k8s-stopped-${count}`;
      const start = now;
      await startRun(runId, count, cluster.self.key, "kubernetes");
      for (let s = 0; s < 5; s++) {
        now = start + (s + 1) * SECOND;
        for (let w = 0; w < count; w++) await report(runId, `w${w}`, Math.floor(start / 1000) + s);
      }
      expect(await coordinator.requestStop(runId, "stop")).toBe(true);
      // They stop on the ingest answer and flush; silent past the timeout, well before the planned end.
      now = start + 12 * SECOND;
      await supervisor.tick();
      const run = await runRow(runId);
      expect(run.status, runId).toBe("aborted");
      expect(run.workerLosses).toEqual([]);
      expect((await workers.list(runId)).map((w) => w.state)).toEqual(Array(count).fill("exited"));
      expect((await agents.list(DEFAULT_PROJECT_ID)).map((t) => t.name)).not.toContain(`run:${runId}`);
    }
  });

  it("a run started from the command line whose generator went silent is closed; one still sending, or slow to start, stays running", async () => {
    // Run reports are stamped with the database's clock: start the test clock from the real one.
    now = Date.now();
    const start = now;
    const window = (runId: string, second: number) =>
      makeWindow({ runId, step: "browse", worker: "local", second });
    for (const runId of ["cli-dead", "cli-alive", "cli-slow"])
      await storeRunReport(
        db().db,
        RunReportSchema.parse(makeRunReport(runId, { startedAt: start })),
        DEFAULT_PROJECT_ID,
      );
    const first = Math.floor(start / 1000);
    await storeWindows(db().db, [window("cli-dead", first), window("cli-alive", first)], DEFAULT_PROJECT_ID);
    // cli-alive goes on sending windows; cli-dead was killed; cli-slow has sent nothing yet.
    for (const s of [5, 15, 25]) {
      now = start + s * SECOND;
      await storeWindows(db().db, [window("cli-alive", first + s)], DEFAULT_PROJECT_ID);
      await supervisor.tick();
    }
    const dead = await runRow("cli-dead");
    expect(dead.status).toBe("error");
    expect(dead.verdict).toMatch(/^error: generator went silent: no window for \d+ s$/);
    expect(dead.endedAt).not.toBeNull();
    expect(changed).toContain("cli-dead");
    expect((await runRow("cli-alive")).status).toBe("running");
    // Before its first window a run has the start grace beyond the stale period, then it too is over.
    expect((await runRow("cli-slow")).status).toBe("running");
    now = start + 80 * SECOND;
    await storeWindows(db().db, [window("cli-alive", first + 80)], DEFAULT_PROJECT_ID);
    await supervisor.tick();
    expect((await runRow("cli-alive")).status).toBe("running");
    const slow = await runRow("cli-slow");
    expect(slow.status).toBe("error");
    expect(slow.verdict).toMatch(/^error: generator went silent: no window or report for \d+ s$/);
  });

  it("a hub that just started (or just became leader) watches a quiet run for the stale period before closing it", async () => {
    now = Date.now();
    const start = now;
    await storeRunReport(
      db().db,
      RunReportSchema.parse(makeRunReport("cli-outage", { startedAt: start })),
      DEFAULT_PROJECT_ID,
    );
    await storeWindows(
      db().db,
      [
        makeWindow({
          runId: "cli-outage",
          step: "browse",
          worker: "local",
          second: Math.floor(start / 1000),
        }),
      ],
      DEFAULT_PROJECT_ID,
    );
    // The hub was down for two minutes while the generator spooled; a fresh hub's first passes wait.
    now = start + 120 * SECOND;
    const restarted = newSupervisor();
    await restarted.tick();
    now += 8 * SECOND;
    await restarted.tick();
    expect((await runRow("cli-outage")).status).toBe("running");
    // Still nothing heard after the whole stale period under this hub: the generator is gone.
    now += 5 * SECOND;
    await restarted.tick();
    expect((await runRow("cli-outage")).status).toBe("error");
  });

  it("a split run is judged once over every worker's windows, not by the last worker to report; worker 0's faults stay", async () => {
    const runId = "split-judged";
    const start = now;
    await startRun(runId, 2, cluster.self.key);
    const first = Math.floor(start / 1000);
    // Each worker sent 20 s × 3 requests = 60 of checkout: 120 together.
    for (const worker of ["w0", "w1"])
      await storeWindows(
        db().db,
        Array.from({ length: 20 }, (_, s) =>
          makeWindow({ runId, step: "checkout", worker, second: first + s }),
        ),
        DEFAULT_PROJECT_ID,
      );
    const fault = { at: start + 5 * SECOND, action: "set", fault: "latency", detail: "+300 ms" };
    const finalReport = (worker: string, faults: unknown[]) =>
      RunReportSchema.parse(
        makeRunReport(runId, {
          startedAt: start,
          workers: 2,
          status: "failed",
          endedAt: start + 20 * SECOND,
          // Each worker judged its own half: 60 requests, below the run's 100.
          thresholds: [{ expression: "count(checkout) > 100", ok: false, value: 60 }],
          faults,
          verdict: `failed: 60 requests (${worker} alone)`,
        }),
      );
    await storeRunReport(db().db, finalReport("w0", [fault]), DEFAULT_PROJECT_ID);
    await storeRunReport(db().db, finalReport("w1", []), DEFAULT_PROJECT_ID);
    // Both exited 1 (their share failed); the hub closes the run over the merged windows.
    for (const worker of ["w0", "w1"]) await workers.ended(runId, worker, { state: "exited", exitCode: 1 });
    await coordinator.finishIfEnded(runId);
    const run = await runRow(runId);
    expect(run.status).toBe("passed");
    expect(run.thresholds).toEqual([
      { expression: "count(checkout) > 100", ok: true, value: 120, abortOnFail: false },
    ]);
    expect(run.verdict).toMatch(/^passed: 120 requests, 0\.00 % errors, p95 checkout 3 ms$/);
    expect(run.faults).toEqual([fault]);
    // A late report of a worker leaves the hub's judgement alone.
    await storeRunReport(db().db, finalReport("w1", []), DEFAULT_PROJECT_ID);
    const after = await runRow(runId);
    expect(after.thresholds).toEqual(run.thresholds);
    expect(after.verdict).toBe(run.verdict);
    expect(after.status).toBe("passed");
  });
});

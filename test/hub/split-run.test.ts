import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { segmentOf } from "../../core/execution-segment.ts";
import { parseProfile, rateSegments, scaleProfile } from "../../core/profile.ts";
import { builtinProfiles } from "../../core/profiles/index.ts";
import { RateSchedule } from "../../core/rate.ts";
import type { WorkerLoss } from "../../core/worker-loss.ts";
import { windows } from "../../db/schema/hub.ts";
import { startTestHub, type TestHub, type TestSession } from "../helpers/hub.ts";
import { HOOKS_TOKEN, startTestShop, type TestShop } from "../helpers/shop.ts";
import { alive } from "../helpers/up.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Worker {
  worker: string;
  state: string;
  pid: number | null;
  lostReason: string | null;
}

/**
 * The smoke profile at the test's scales: 18 s (long enough that a worker that loaded its code
 * late on a busy machine, and caught up, is still mid-run) at 10 journeys/s, 180 arrivals.
 */
const DURATION_SCALE = 0.6;
const RATE_SCALE = 2;
function smokeSchedule(): RateSchedule {
  const parsed = parseProfile(builtinProfiles.smoke);
  if (!parsed.ok) throw new Error(parsed.error);
  return new RateSchedule(
    rateSegments(scaleProfile(parsed.profile, { duration: DURATION_SCALE, rate: RATE_SCALE })),
  );
}

describe("a hub-coordinated run over three real generator processes", () => {
  let shop: TestShop;
  let t: TestHub;
  let ops: TestSession;
  // The generators the hub starts inherit these (see server/runs/launcher.ts): their files go
  // to the hub's throwaway data directory, and they log in as customers the test shop has.
  const saved = { dataDir: process.env.PEAKWATCH_DATA_DIR, customers: process.env.SHOP_SEED_CUSTOMERS };
  beforeAll(async () => {
    shop = await startTestShop("pglite");
    t = await startTestHub({
      env: {
        PEAKWATCH_SHOP_URL: shop.url,
        SHOP_TEST_HOOKS_TOKEN: HOOKS_TOKEN,
        // The kill is seen as the process's exit; no live worker of a starved machine is taken
        // for lost on a missed heartbeat.
        HUB_WORKER_TIMEOUT_SECONDS: "30",
        // Three generators load their code on a busy machine before the common start.
        HUB_RUN_START_DELAY_SECONDS: "6",
      },
    });
    process.env.PEAKWATCH_DATA_DIR = t.dataDir;
    process.env.SHOP_SEED_CUSTOMERS = String(shop.config.SHOP_SEED_CUSTOMERS);
    ops = await t.loginAs("ops");
  }, 120_000);
  afterAll(async () => {
    for (const [name, value] of [
      ["PEAKWATCH_DATA_DIR", saved.dataDir],
      ["SHOP_SEED_CUSTOMERS", saved.customers],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await t?.close();
    await shop?.close();
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

  it("one worker SIGKILLed mid-run: the run ends degraded naming it and the missing share; the others' windows hold every arrival of their segments", async () => {
    const started = await call<{ run: { runId: string; startAt: number } }>("POST", "/runs", {
      profile: "smoke",
      target: shop.url,
      durationScale: DURATION_SCALE,
      rateScale: RATE_SCALE,
      workers: 3,
    });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const { runId } = started.body.run;
    const list = async () =>
      (await call<{ workers: Worker[] }>("GET", `/runs/${runId}/workers`)).body.workers;
    // w1's first window (a second or two into the run) marks it running; it dies soon after.
    let workers: Worker[] = [];
    for (let i = 0; i < 150; i++) {
      workers = await list();
      if (workers.find((w) => w.worker === "w1")?.state === "running") break;
      await sleep(200);
    }
    const victim = workers.find((w) => w.worker === "w1");
    expect(victim?.state, JSON.stringify(workers)).toBe("running");
    await sleep(1000);
    process.kill(victim!.pid!, "SIGKILL");

    let run: { status: string; verdict?: string; workerLosses: WorkerLoss[] } | undefined;
    for (let i = 0; i < 150; i++) {
      run = (await call<{ run: typeof run }>("GET", `/runs/${runId}`)).body.run;
      if (run && run.status !== "running" && run.status !== "starting") break;
      await sleep(200);
    }
    expect(run?.status, run?.verdict).toBe("degraded");
    expect(run!.workerLosses).toHaveLength(1);
    const [loss] = run!.workerLosses;
    const schedule = smokeSchedule();
    expect(schedule.totalArrivals).toBe(180);
    expect(loss).toMatchObject({
      worker: "w1",
      index: 1,
      workers: 3,
      // The hub adds the worker's last output to why it stopped.
      reason: expect.stringMatching(/^exited on SIGKILL; last output: /),
      plannedArrivals: 180,
    });
    expect(run!.verdict).toMatch(
      /^degraded: worker w1 \(index 1 of 3\) stopped at [\d.]+ s \(exited on SIGKILL; last output: .*\): [\d.]+ % of arrivals not sent or not reported \(\d+ of 180\)/,
    );
    console.log(`split run: ${run!.verdict}`);

    const final = await list();
    expect(final.map((w) => [w.worker, w.state])).toEqual([
      ["w0", "exited"],
      ["w1", "lost"],
      ["w2", "exited"],
    ]);
    expect(alive(victim!.pid!)).toBe(false);

    // What each worker's journey windows say it started (at their scheduled seconds) and dropped.
    const reported = async (worker: string) => {
      const [row] = await t.database.db
        .select({
          achieved: sql<number>`coalesce(sum(${windows.achievedRate}), 0)::int`,
          dropped: sql<number>`coalesce(sum(${windows.dropped}), 0)::int`,
        })
        .from(windows)
        .where(and(eq(windows.runId, runId), eq(windows.worker, worker), eq(windows.step, "journey")));
      return { achieved: Number(row?.achieved), dropped: Number(row?.dropped) };
    };
    // w0 and w2 sent and reported every arrival of their segments.
    for (const index of [0, 2]) {
      const planned = segmentOf(schedule, { index, count: 3 }).totalArrivals;
      expect(await reported(`w${index}`), `w${index}`).toEqual({ achieved: planned, dropped: 0 });
    }
    // w1's windows up to its last report plus the arrivals said to be missing are its segment:
    // the loss names exactly what was not sent, and it was killed mid-run.
    const w1 = await reported("w1");
    const w1Planned = segmentOf(schedule, { index: 1, count: 3 }).totalArrivals;
    console.log(`w1: ${w1.achieved} of ${w1Planned} arrivals reported, ${loss!.missingArrivals} missing`);
    expect(w1.dropped).toBe(0);
    expect(w1.achieved).toBeGreaterThan(0);
    expect(loss!.missingArrivals).toBeGreaterThan(0);
    expect(w1.achieved + loss!.missingArrivals!).toBe(w1Planned);
    expect(loss!.missingShare).toBeCloseTo(loss!.missingArrivals! / 180, 6);
  }, 90_000);
});

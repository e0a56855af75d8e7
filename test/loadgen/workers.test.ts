import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunDetail } from "../../core/api/runs.ts";
import { segmentOf } from "../../core/execution-segment.ts";
import { newHistogram, recordMicros, summarize } from "../../core/histogram.ts";
import { RateSchedule } from "../../core/rate.ts";
import { rowsOf } from "../../db/rows.ts";
import { type RawSample, readRawSamples } from "../../loadgen/outputs/raw-samples.ts";
import type { RunSummary } from "../../loadgen/outputs/summary.ts";
import { peakwatch } from "../helpers/cli.ts";
import { startTestHub, type TestHub } from "../helpers/hub.ts";
import { bins } from "../helpers/loadgen.ts";
import { startTestShop, type TestShop } from "../helpers/shop.ts";

/** The split run's rate: ±2 % of a second's arrivals is 3 arrivals, so the bound means something. */
const RATE = 150;
const profile = (seconds: number, rate: number) => ({
  name: "workers",
  journeys: [
    {
      name: "browse",
      steps: [
        // Cheap steps: the shop shares this process and two cores with the generators.
        { name: "health", path: "/healthz" },
        { name: "ready", path: "/readyz" },
      ],
    },
  ],
  stages: [{ duration: `${seconds}s`, rate }],
  executor: { connections: 24, maxVUs: 3000 },
});

/** When each journey's first request went out on the wire (end − service time), epoch ms, in order. */
function sendTimes(samples: ReadonlyArray<RawSample>): number[] {
  return samples
    .filter((s) => s.step === "health")
    .map((s) => s.endMs - (s.serviceMicros ?? s.latencyMicros) / 1000)
    .sort((a, b) => a - b);
}

/**
 * The spread of the gaps between consecutive sends, ms: what the shop sees of the generator's
 * spacing (one process's timer jitter and a loaded machine's stalls included).
 */
function gapSpread(sent: ReadonlyArray<number>) {
  const gaps = sent.slice(1).map((t, i) => t - sent[i]!);
  const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  const stdev = Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / gaps.length);
  const sorted = [...gaps].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  // Median distance from the ideal gap: robust to a few stalls of a loaded machine.
  const ideal = 1000 / RATE;
  const deviations = gaps.map((g) => Math.abs(g - ideal)).sort((a, b) => a - b);
  return {
    rate: gaps.length / ((sent[sent.length - 1]! - sent[0]!) / 1000),
    mean,
    stdev,
    p5: at(0.05),
    p95: at(0.95),
    mad: deviations[Math.floor(deviations.length / 2)]!,
  };
}
const describeSpread = (s: ReturnType<typeof gapSpread>) =>
  `${s.rate.toFixed(2)}/s, gap mean ${s.mean.toFixed(2)} ms, stdev ${s.stdev.toFixed(2)} ms, p5 ${s.p5.toFixed(2)} ms, p95 ${s.p95.toFixed(2)} ms, median |gap − ideal| ${s.mad.toFixed(2)} ms`;

describe("a run split over three local workers, against the real shop and hub", () => {
  let shop: TestShop;
  let hub: TestHub;
  let dir: string;
  beforeAll(async () => {
    [shop, hub] = await Promise.all([startTestShop("pglite"), startTestHub()]);
    dir = mkdtempSync(join(tmpdir(), "pw-workers-"));
  }, 180_000);
  afterAll(async () => {
    await Promise.all([shop?.close(), hub?.close()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  const run = (
    name: string,
    seconds: number,
    rate: number,
    extra: string[],
    onStart?: Parameters<typeof peakwatch>[2],
  ) => {
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(profile(seconds, rate)));
    return peakwatch(
      ["run", file, "--target", shop.url, "--run-id", name, "--out", join(dir, name), ...extra],
      {
        PEAKWATCH_DATA_DIR: join(dir, "data"),
        PEAKWATCH_HUB_URL: hub.url,
        PEAKWATCH_AGENT_TOKEN: hub.agentToken,
      },
      onStart,
    );
  };
  const windowsOf = async (runId: string) =>
    rowsOf<{
      worker: string;
      step: string;
      second: number;
      count: number;
      achieved: number;
      target: number;
      dropped: number;
    }>(
      await hub.database.db.execute(
        sql`select worker, step, second::float8 as second, count, achieved_rate as achieved, target_rate as target, dropped from hub.windows where run_id = ${runId}`,
      ),
    );

  it(`--workers 3 for 15 s at ${RATE}/s: the hub's percentiles equal one histogram of every worker's samples; arrivals per second within ±2 %, as evenly spaced as one process's`, async () => {
    // 2,250 arrivals in 14 whole seconds: the exact checks (percentiles, per-worker totals, none
    // dropped) hold or fail whatever the length, and every whole second is held to ±2 %.
    const seconds = 15;
    const split = await run("split", seconds, RATE, [
      "--workers",
      "3",
      "--raw-samples",
      join(dir, "split.raw"),
    ]);
    expect(split.code, split.stderr).toBe(0);
    expect(split.stdout).toMatch(/^workers: 3, start skew [\d.]+ ms, merge \d+ ms$/m);
    // The single process to compare spacing with: the same rate, 10 s (1,500 gaps are plenty
    // for their spread, and CI time is short).
    const single = await run("single", 10, RATE, ["--raw-samples", join(dir, "single.raw")]);
    expect(single.code, single.stderr).toBe(0);

    // Exact: the hub's merged p50/p95/p99 per step are those of a histogram of all raw samples.
    const samples = ["w0", "w1", "w2"].flatMap((w) =>
      readRawSamples(readFileSync(join(dir, `split.raw.${w}`), "utf8")),
    );
    const viewer = await hub.loginAs("viewer");
    const detail = (await (
      await fetch(`${hub.url}/api/v1/runs/split`, { headers: viewer.headers })
    ).json()) as RunDetail;
    expect(detail.run.workers).toBe(3);
    expect(detail.run.status).toBe("passed");
    for (const step of ["health", "ready"]) {
      const h = newHistogram();
      for (const s of samples) if (s.step === step && s.ok) recordMicros(h, s.latencyMicros);
      const fromRaw = summarize(h);
      const merged = detail.steps[step]!.latency;
      console.log(
        `${step}: hub p50 ${merged.p50} ms p95 ${merged.p95} ms p99 ${merged.p99} ms over ${merged.count}; raw ${fromRaw.p50} / ${fromRaw.p95} / ${fromRaw.p99} ms over ${fromRaw.count}`,
      );
      // Every request the workers recorded reached the hub (successful ones in this histogram).
      expect(samples.filter((s) => s.step === step)).toHaveLength(detail.steps[step]!.count);
      expect(fromRaw.count).toBeGreaterThan(0);
      expect({ count: merged.count, p50: merged.p50, p95: merged.p95, p99: merged.p99 }).toEqual({
        count: fromRaw.count,
        p50: fromRaw.p50,
        p95: fromRaw.p95,
        p99: fromRaw.p99,
      });
    }

    // Every worker started exactly its segment's arrivals, none dropped.
    const schedule = new RateSchedule([{ duration: seconds, from: RATE, to: RATE }]);
    const windows = (await windowsOf("split")).filter((w) => w.step === "journey");
    for (const [i, worker] of ["w0", "w1", "w2"].entries()) {
      const mine = windows.filter((w) => w.worker === worker);
      expect(mine.reduce((n, w) => n + w.achieved, 0)).toBe(
        segmentOf(schedule, { index: i, count: 3 }).totalArrivals,
      );
      expect(mine.reduce((n, w) => n + w.dropped, 0)).toBe(0);
    }
    // Combined arrivals per second as the hub stored them: each worker counts an arrival that
    // started in the second it was scheduled for (its intended instant, which is what the
    // generator controls; one it started late on a stalled machine still belongs to its second
    // unless it came past the window's grace). Whole seconds only: the run's first and last
    // epoch seconds hold part of a second each.
    const perSecond = new Map<number, { achieved: number; target: number }>();
    for (const w of windows) {
      const s = perSecond.get(w.second) ?? { achieved: 0, target: 0 };
      s.achieved += w.achieved;
      s.target += w.target;
      perSecond.set(w.second, s);
    }
    const full = [...perSecond.values()].filter((s) => s.target >= RATE - 1);
    expect(full.length).toBeGreaterThanOrEqual(seconds - 1);
    const worst = Math.max(...full.map((s) => Math.abs(s.achieved - RATE)));
    // The same seconds counted on the wire (when each journey's first request was sent, from the
    // raw samples): a loaded machine's stalls move arrivals across second boundaries. Reported.
    const sent = sendTimes(samples);
    const onWire = [...perSecond]
      .filter(([, s]) => s.target >= RATE - 1)
      .map(([second]) => bins(sent, second * 1000, 1000, 1)[0]!);
    const wireWorst = Math.max(...onWire.map((n) => Math.abs(n - RATE)));
    const within = onWire.filter((n) => Math.abs(n - RATE) <= 0.02 * RATE).length;
    console.log(
      `per-second arrivals over ${full.length} whole seconds at ${RATE}/s: counted at their scheduled second, worst ${worst} off (${((100 * worst) / RATE).toFixed(1)} %); counted on the wire, worst ${wireWorst} off (${((100 * wireWorst) / RATE).toFixed(1)} %), ${within}/${onWire.length} seconds within ±2 %`,
    );
    for (const s of full) expect(Math.abs(s.achieved - RATE)).toBeLessThanOrEqual(0.02 * RATE);

    // Interleaved slices keep one process's spacing: the three workers' sends, merged, against
    // one process's at the same rate.
    const a = gapSpread(sent);
    const b = gapSpread(sendTimes(readRawSamples(readFileSync(join(dir, "single.raw"), "utf8"))));
    console.log(
      `inter-arrival gaps (on the wire), 3 workers: ${describeSpread(a)}\n1 process: ${describeSpread(b)}`,
    );
    expect(Math.abs(a.rate - RATE)).toBeLessThanOrEqual(0.02 * RATE);
    expect(a.mad).toBeLessThanOrEqual(Math.max(1000 / RATE / 2, 2 * b.mad + 0.5));
  }, 240_000);

  it("a worker killed mid-run: the run ends degraded, names it and its missing share; the others' data is complete", async () => {
    const seconds = 12;
    const rate = 50;
    let killed = false;
    const result = await run("killed", seconds, rate, ["--workers", "3"], {
      onStart: (child) => {
        // Kill worker 1 some 6.5 s after the start instant (the first progress line comes at 5 s).
        let out = "";
        child.stderr?.on("data", async (d) => {
          out += d;
          if (killed || !/workers 3\/3/.test(out)) return;
          killed = true;
          await new Promise((r) => setTimeout(r, 1500));
          const { execFileSync } = await import("node:child_process");
          const pid = execFileSync("pgrep", ["-f", "run-id killed --workers 3 --worker-index 1"], {
            encoding: "utf8",
          }).trim();
          process.kill(Number(pid), "SIGKILL");
        });
      },
    });
    expect(killed).toBe(true);
    expect(result.code, result.stderr).toBe(3);
    const line =
      /worker w1 \(index 1 of 3\) stopped at ([\d.]+) s \(exited on SIGKILL\): ([\d.]+) % of arrivals not sent or not reported \((\d+) of 600\)/;
    expect(result.stdout).toMatch(line);
    const [, at, share, missing] = result.stdout.match(line)!;
    console.log(`lost: w1 at ${at} s, ${share} % (${missing} arrivals)`);
    expect(Number(at)).toBeGreaterThan(2);
    expect(Number(at)).toBeLessThan(seconds);
    expect(Number(missing)).toBeGreaterThan(0);

    const summary = JSON.parse(readFileSync(join(dir, "killed", "summary.json"), "utf8")) as RunSummary;
    expect(summary.status).toBe("degraded");
    expect(summary.workerLosses).toHaveLength(1);
    expect(summary.workerLosses![0]).toMatchObject({
      worker: "w1",
      index: 1,
      workers: 3,
      missingArrivals: Number(missing),
    });
    expect(readFileSync(join(dir, "killed", "thresholds.xml"), "utf8")).toMatch(
      /<failure message="worker w1 \(index 1 of 3\)[^"]*" type="degraded"\/>/,
    );

    const viewer = await hub.loginAs("viewer");
    const detail = (await (
      await fetch(`${hub.url}/api/v1/runs/killed`, { headers: viewer.headers })
    ).json()) as RunDetail;
    expect(detail.run.status).toBe("degraded");
    expect(detail.run.workerLosses.map((l) => l.worker)).toEqual(["w1"]);

    // Workers 0 and 2 sent and reported every arrival of their segments.
    const schedule = new RateSchedule([{ duration: seconds, from: rate, to: rate }]);
    const windows = (await windowsOf("killed")).filter((w) => w.step === "journey");
    for (const i of [0, 2]) {
      const mine = windows.filter((w) => w.worker === `w${i}`);
      expect(mine.reduce((n, w) => n + w.achieved, 0)).toBe(
        segmentOf(schedule, { index: i, count: 3 }).totalArrivals,
      );
      expect(mine.reduce((n, w) => n + w.dropped, 0)).toBe(0);
    }
    // The report's arrivals plus those said to be missing are the whole schedule, none dropped.
    expect(summary.dropped).toBe(0);
    expect(summary.achievedArrivals + Number(missing)).toBe(schedule.totalArrivals);
  }, 180_000);
});

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
import { startTestShop, type TestShop } from "../helpers/shop.ts";

const RATE = 40;
const profile = (seconds: number) => ({
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
  stages: [{ duration: `${seconds}s`, rate: RATE }],
  executor: { connections: 12, maxVUs: 3000 },
});

/**
 * Gaps between consecutive arrivals, ms, and their spread. An arrival's instant is its journey's
 * first request's end minus its latency (measured from the intended start, or from when a late
 * generator got to it): the generator's own spacing, whatever the shop's speed.
 */
function gapSpread(samples: ReadonlyArray<RawSample>) {
  const sent = samples
    .filter((s) => s.step === "health")
    .map((s) => s.endMs - s.latencyMicros / 1000)
    .sort((a, b) => a - b);
  const gaps = sent.slice(1).map((t, i) => t - sent[i]!);
  const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  const stdev = Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / gaps.length);
  const sorted = [...gaps].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  // Median distance from the ideal gap: robust to a few stalls of a loaded machine.
  const ideal = 1000 / RATE;
  const deviations = gaps.map((g) => Math.abs(g - ideal)).sort((a, b) => a - b);
  return {
    sent,
    count: gaps.length,
    mean,
    stdev,
    p5: at(0.05),
    p95: at(0.95),
    mad: deviations[Math.floor(deviations.length / 2)]!,
  };
}

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

  const run = (name: string, seconds: number, extra: string[], onStart?: Parameters<typeof peakwatch>[2]) => {
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(profile(seconds)));
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

  it("--workers 3 for 30 s at 40/s: the hub's percentiles equal one histogram of every worker's samples; arrivals as even as one process's", async () => {
    const seconds = 30;
    const [split, single] = [
      await run("split", seconds, ["--workers", "3", "--raw-samples", join(dir, "split.raw")]),
      await run("single", seconds, ["--raw-samples", join(dir, "single.raw")]),
    ];
    expect(split.code, split.stderr).toBe(0);
    expect(single.code, single.stderr).toBe(0);
    expect(split.stdout).toMatch(/^workers: 3, start skew [\d.]+ ms, merge \d+ ms$/m);

    // Exact: the hub's merged p50/p95/p99 per step are those of a histogram of all raw samples.
    const samples = ["w0", "w1", "w2"].flatMap((w) =>
      readRawSamples(readFileSync(join(dir, `split.raw.${w}`), "utf8")),
    );
    // The combined arrivals' spacing next to one process's at the same rate.
    const a = gapSpread(samples);
    const b = gapSpread(readRawSamples(readFileSync(join(dir, "single.raw"), "utf8")));
    const rate = (s: typeof a) => s.count / ((s.sent[s.sent.length - 1]! - s.sent[0]!) / 1000);
    const fmt = (s: typeof a) =>
      `${rate(s).toFixed(2)}/s, gap mean ${s.mean.toFixed(2)} ms, stdev ${s.stdev.toFixed(2)} ms, p5 ${s.p5.toFixed(2)} ms, p95 ${s.p95.toFixed(2)} ms, median |gap − ideal| ${s.mad.toFixed(2)} ms`;
    console.log(`3 workers: ${fmt(a)}\n1 process: ${fmt(b)}`);

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

    // Every worker sent exactly its segment, and every second the three add up to the target.
    const schedule = new RateSchedule([{ duration: seconds, from: RATE, to: RATE }]);
    const windows = (await windowsOf("split")).filter((w) => w.step === "journey");
    for (const [i, worker] of ["w0", "w1", "w2"].entries()) {
      const mine = windows.filter((w) => w.worker === worker);
      expect(mine.reduce((n, w) => n + w.achieved, 0)).toBe(
        segmentOf(schedule, { index: i, count: 3 }).totalArrivals,
      );
    }
    const perSecond = new Map<number, { achieved: number; target: number }>();
    for (const w of windows) {
      const s = perSecond.get(w.second) ?? { achieved: 0, target: 0 };
      s.achieved += w.achieved;
      s.target += w.target;
      perSecond.set(w.second, s);
    }
    // Whole seconds only: the run's first and last epoch seconds hold part of a second each.
    const full = [...perSecond.values()].filter((s) => s.target >= RATE - 1);
    expect(full.length).toBeGreaterThanOrEqual(seconds - 1);
    // ±2 %, but at least one arrival: an arrival that waited past its second's window grace on a
    // stalled machine is counted in the next second (never lost: each worker's total is exact).
    for (const s of full) expect(Math.abs(s.achieved - RATE)).toBeLessThanOrEqual(Math.max(1, 0.02 * RATE));

    // Interleaved slices keep one process's spacing. A loaded machine makes both late at times
    // (arrivals then start together when the generator catches up): hence the slack.
    expect(a.mad).toBeLessThanOrEqual(Math.max(5, 2 * b.mad + 1000 / RATE / 2));
  }, 240_000);

  it("a worker killed mid-run: the run ends degraded, names it and its missing share; the others' data is complete", async () => {
    const seconds = 16;
    let killed = false;
    const result = await run("killed", seconds, ["--workers", "3"], {
      onStart: (child) => {
        // Kill worker 1 some 7 s after the start instant (the first progress line comes at 5 s).
        let out = "";
        child.stderr?.on("data", async (d) => {
          out += d;
          if (killed || !/workers 3\/3/.test(out)) return;
          killed = true;
          await new Promise((r) => setTimeout(r, 2000));
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
      /worker w1 \(index 1 of 3\) stopped at ([\d.]+) s \(exited on SIGKILL\): ([\d.]+) % of arrivals not sent or not reported \((\d+) of 640\)/;
    expect(result.stdout).toMatch(line);
    const [, at, share, missing] = result.stdout.match(line)!;
    console.log(`lost: w1 at ${at} s, ${share} % (${missing} arrivals)`);
    expect(Number(at)).toBeGreaterThan(3);
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
    const schedule = new RateSchedule([{ duration: seconds, from: RATE, to: RATE }]);
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

/**
 * bench:loadgen — figures for the traffic-spike generator against a bare node:http server
 * (in a child process, so its CPU is not counted), compared with bare autocannon in the same
 * run (and wrk when installed):
 *   1. requests per CPU-second of the open-model executor, the autocannon executor, bare autocannon;
 *   2. the highest open-model rate held within ±2 %;
 *   3. RSS across a long 2,000 rps run (flat: nothing is stored per request);
 *   4. warm-up: whole-run and first-second p50/p99 at 2,000 rps against the bare target, the
 *      generator's own scheduling lag apart, beside bare autocannon's p99 on the same target.
 * Flags: --seconds N (each throughput measurement, default 10), --rss-seconds N (default 300),
 * --rss-rate N (default 2000). Only 127.0.0.1 is ever targeted.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { decodeHistogram, summarize } from "../core/histogram.ts";
import { type Profile, type ProfileInput, parseProfile } from "../core/profile.ts";
import type { Window } from "../core/window.ts";
import { runLoad } from "../loadgen/runner.ts";
import type { WindowSink } from "../loadgen/window-aggregator.ts";
import { type BenchFigure, reportFigures } from "./figures.ts";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    "rss-seconds": { type: "string", default: "300" },
    "rss-rate": { type: "string", default: "2000" },
  },
});
const SECONDS = Number(values.seconds);
const RSS_SECONDS = Number(values["rss-seconds"]);
const RSS_RATE = Number(values["rss-rate"]);
const CONNECTIONS = 32;

const TARGET_SOURCE = `
const http = require("node:http");
const server = http.createServer((req, res) => { req.resume(); res.end("ok"); });
server.keepAliveTimeout = 60000;
server.listen(0, "127.0.0.1", () => process.stdout.write(String(server.address().port) + "\\n"));
`;

async function startTarget(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ["-e", TARGET_SOURCE], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<string>((resolve) =>
    child.stdout!.once("data", (d) => resolve(String(d).trim())),
  );
  return { url: `http://127.0.0.1:${port}`, child };
}

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
}

function profile(input: Partial<ProfileInput>): Profile {
  const r = parseProfile({
    name: "bench",
    journeys: [{ name: "hit", steps: [{ name: "get", path: "/" }] }],
    stages: [],
    ...input,
  });
  if (!r.ok) throw new Error(r.error);
  return r.profile;
}

async function runProfile(p: Profile, url: string, sinks: WindowSink[] = []) {
  const dir = mkdtempSync(join(tmpdir(), "pw-bench-"));
  try {
    return await runLoad({
      sinks,
      profile: p,
      profileName: p.name,
      target: url,
      runId: "bench",
      dataDir: dir,
      outDir: dir,
      log: () => {},
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function bareAutocannon(url: string): Promise<{ requests: number; cpu: number; p99: number }> {
  const cpu = process.cpuUsage();
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS });
  return { requests: result.requests.total, cpu: cpuSeconds(cpu), p99: result.latency.p99 };
}

/** wrk's throughput when it is installed (its CPU is another process's, so only requests/s are shown). */
function wrk(url: string): { requests: number; cpu: number } | undefined {
  try {
    const out = execFileSync("wrk", ["-t1", `-c${CONNECTIONS}`, `-d${SECONDS}s`, url], { encoding: "utf8" });
    return { requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? 0), cpu: Number.NaN };
  } catch {
    return undefined;
  }
}

const fmt = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "n/a");

async function main() {
  const target = await startTarget();
  console.log(
    `bench:loadgen against a bare node:http server (child process) at ${target.url}, ${SECONDS} s per measurement\n`,
  );
  try {
    // 1. Requests per CPU-second.
    const rows: [string, number, number][] = [];
    const bare = await bareAutocannon(target.url);
    rows.push([`bare autocannon (${CONNECTIONS} connections) [baseline]`, bare.requests, bare.cpu]);
    let cpu = process.cpuUsage();
    const closed = await runProfile(
      profile({ stages: [{ duration: SECONDS, connections: CONNECTIONS }] }),
      target.url,
    );
    rows.push([
      `peakwatch closed model / autocannon (${CONNECTIONS} connections)`,
      closed.requests,
      cpuSeconds(cpu),
    ]);
    const openRate = Math.max(1000, Math.round((bare.requests / SECONDS) * 0.5));
    cpu = process.cpuUsage();
    const open = await runProfile(
      profile({
        stages: [{ duration: SECONDS, rate: openRate }],
        executor: { connections: CONNECTIONS, maxVUs: 5000 },
      }),
      target.url,
    );
    rows.push([
      `peakwatch open model (${openRate} rps, ${CONNECTIONS} connections)`,
      open.requests,
      cpuSeconds(cpu),
    ]);
    const w = wrk(target.url);
    if (w) rows.push([`wrk (1 thread, ${CONNECTIONS} connections, CPU not measured)`, w.requests, w.cpu]);
    console.log("1. Requests per CPU-second of the generator process");
    console.log(
      `   ${"generator".padEnd(58)} ${"requests".padStart(10)} ${"CPU s".padStart(7)} ${"req/CPU-s".padStart(10)} vs baseline`,
    );
    for (const [name, requests, cpuS] of rows) {
      const perCpu = requests / cpuS;
      const vs = perCpu / (bare.requests / bare.cpu);
      console.log(
        `   ${name.padEnd(58)} ${fmt(requests).padStart(10)} ${cpuS.toFixed(2).padStart(7)} ${fmt(perCpu).padStart(10)} ${Number.isFinite(vs) ? `${(vs * 100).toFixed(0)} %` : ""}`,
      );
    }
    if (!w) console.log("   (wrk not installed: skipped)");
    const figures: BenchFigure[] = [
      {
        measure: `open model at ${openRate} rps, requests per CPU-second`,
        value: fmt(open.requests / rows[2]![2]),
        baseline: `bare autocannon ${fmt(bare.requests / bare.cpu)}`,
        ratio: `${((open.requests / rows[2]![2] / (bare.requests / bare.cpu)) * 100).toFixed(0)} % of it`,
      },
    ];

    // 4. Warm-up and scheduling lag: connections are warmed before the start instant, and the
    // generator's own lateness is a figure of its own, so the target's latency is its own.
    console.log(`\n4. Warm-up: 2,000 rps for ${SECONDS} s against the bare target`);
    const windows: Window[] = [];
    const warmRun = await runProfile(
      profile({
        stages: [{ duration: SECONDS, rate: 2000 }],
        executor: { connections: CONNECTIONS, maxVUs: 5000 },
      }),
      target.url,
      [{ accept: (ws) => windows.push(...ws.filter((x) => x.step === "get")) }],
    );
    const whole = warmRun.summary.steps.get;
    const firstSecond = windows.sort((a, b) => a.second - b.second)[0];
    const first = firstSecond ? summarize(decodeHistogram(firstSecond.latency)) : undefined;
    const lag = warmRun.schedulingLag;
    console.log(
      `   warm-up: ${warmRun.warmUp?.answered}/${warmRun.warmUp?.connections} connections in ${warmRun.warmUp?.ms.toFixed(0)} ms before the first arrival`,
    );
    console.log(
      `   whole run: p50 ${whole?.p50.toFixed(2)} ms, p99 ${whole?.p99.toFixed(2)} ms; first second: p50 ${first?.p50.toFixed(2)} ms, p99 ${first?.p99.toFixed(2)} ms`,
    );
    console.log(
      `   generator scheduling lag (not in the latencies): p50 ${lag?.p50.toFixed(2)} ms, p99 ${lag?.p99.toFixed(2)} ms, max ${lag?.max.toFixed(1)} ms`,
    );
    console.log(
      `   baseline: bare autocannon p99 ${bare.p99} ms against the same target (closed model, saturating)`,
    );
    figures.push(
      {
        measure: "whole-run p99 at 2,000 rps, bare target",
        value: `${whole?.p99.toFixed(2)} ms`,
        baseline: `autocannon p99 ${bare.p99} ms`,
        ratio: `first second p99 ${first?.p99.toFixed(2)} ms`,
        goal: "< 5 ms",
        met: (whole?.p99 ?? Number.POSITIVE_INFINITY) < 5,
      },
      {
        measure: "generator scheduling lag at 2,000 rps",
        value: `p50 ${lag?.p50.toFixed(2)} ms, p99 ${lag?.p99.toFixed(2)} ms`,
        baseline: "0 ms (on schedule)",
        ratio: `max ${lag?.max.toFixed(1)} ms`,
      },
    );

    // 2. Highest rate held within ±2 %: each step 5 s, held when achieved and completed requests are within 2 % of the target and nothing dropped.
    console.log("\n2. Highest open-model rate held within ±2 % (5 s per step)");
    let held = 0;
    for (const rate of [1000, 2000, 3000, 4000, 5000, 6000, 8000, 10000, 12000, 14000, 16000, 20000, 24000]) {
      const r = await runProfile(
        profile({
          stages: [{ duration: 5, rate }],
          executor: { connections: 64, maxVUs: 5000, maxQueueDelay: "500ms" },
        }),
        target.url,
      );
      const s = r.summary;
      const ratio = s.achievedArrivals / s.targetArrivals;
      const completed = s.requests / s.targetArrivals;
      const ok = Math.abs(ratio - 1) <= 0.02 && Math.abs(completed - 1) <= 0.02 && s.dropped === 0;
      console.log(
        `   ${String(rate).padStart(6)} rps: achieved ${(ratio * 100).toFixed(1)} %, completed ${(completed * 100).toFixed(1)} %, dropped ${s.dropped}, p99 ${s.steps.get?.p99.toFixed(1)} ms → ${ok ? "held" : "not held"}`,
      );
      if (!ok) break;
      held = rate;
    }
    console.log(
      `   highest rate held: ${held} rps (baseline: bare autocannon's closed-model throughput ${fmt(bare.requests / SECONDS)} req/s)`,
    );

    // 3. RSS across a long run.
    console.log(`\n3. RSS across a ${RSS_SECONDS} s run at ${RSS_RATE} rps (sampled every 10 s)`);
    const samples: [number, number][] = [];
    const t0 = Date.now();
    const sampler = setInterval(
      () => samples.push([(Date.now() - t0) / 1000, process.memoryUsage().rss / 1048576]),
      10_000,
    );
    const long = await runProfile(
      profile({
        stages: [{ duration: RSS_SECONDS, rate: RSS_RATE }],
        executor: { connections: 64, maxVUs: 5000 },
      }),
      target.url,
    );
    clearInterval(sampler);
    console.log(`   ${samples.map(([t, mb]) => `${t.toFixed(0)}s:${mb.toFixed(0)}MB`).join("  ")}`);
    const warm = samples.filter(([t]) => t >= 30).map(([, mb]) => mb);
    if (warm.length >= 3) {
      // Flat means no upward trend: GC makes a sawtooth, so compare the first and last thirds.
      const third = Math.max(1, Math.floor(warm.length / 3));
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const early = mean(warm.slice(0, third));
      const late = mean(warm.slice(-third));
      console.log(
        `   after warm-up (≥30 s): min ${Math.min(...warm).toFixed(0)} MB, max ${Math.max(...warm).toFixed(0)} MB; ` +
          `mean of first third ${early.toFixed(0)} MB vs last third ${late.toFixed(0)} MB over ${fmt(long.requests)} requests`,
      );
    }
    console.log(
      `   achieved ${long.summary.achievedArrivals}/${long.summary.targetArrivals} arrivals, dropped ${long.summary.dropped}`,
    );
    figures.push({
      measure: "highest open-model rate held within ±2 %",
      value: `${held} rps`,
      baseline: `bare autocannon ${fmt(bare.requests / SECONDS)} req/s`,
    });
    reportFigures("bench:loadgen", figures);
  } finally {
    target.child.kill();
  }
}

await main();

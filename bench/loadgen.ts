/**
 * bench:loadgen — figures for the traffic-spike generator against a bare node:http server:
 *   1. side by side on one pinned target (target on CPU 0, each generator on CPU 1, each in its
 *      own process): wrk (saturating), bare autocannon (saturating), autocannon `-R 2000`,
 *      peakwatch's open model at 2,000/s and near autocannon's saturated rate. For each: CPU µs
 *      per request, the share of each second's arrivals in its busiest 100 ms (counted by the
 *      target as requests arrive; 10 % is perfectly even, 100 % one burst a second), whole-run
 *      p50/p99 as the tool reports them, and the generator's scheduling lag where it has one;
 *   2. the highest open-model rate held within ±2 %;
 *   3. RSS across a long 2,000 rps run (flat: nothing is stored per request).
 * Flags: --seconds N (each side-by-side run, default 5), --rss-seconds N (default 300),
 * --rss-rate N (default 2000), --parts 1,2,3 (the parts to run, default all). Only 127.0.0.1 is
 * ever targeted. Without taskset (or on one CPU) the runs are not pinned, and it says so.
 */
import { type ChildProcess, execFile, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type Profile, type ProfileInput, parseProfile } from "../core/profile.ts";
import { runLoad } from "../loadgen/runner.ts";
import type { WindowSink } from "../loadgen/window-aggregator.ts";
import { type BenchFigure, reportFigures } from "./figures.ts";
import type { ToolResult } from "./loadgen-tool.ts";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "5" },
    "rss-seconds": { type: "string", default: "300" },
    "rss-rate": { type: "string", default: "2000" },
    parts: { type: "string", default: "1,2,3" },
  },
});
const PARTS = new Set(values.parts.split(",").map((p) => p.trim()));
const SECONDS = Number(values.seconds);
const RSS_SECONDS = Number(values["rss-seconds"]);
const RSS_RATE = Number(values["rss-rate"]);
const CONNECTIONS = 32;
const RATE = 2000;

/**
 * The bare target: answers "ok" and counts arrivals per 100 ms slot of its own monotonic clock.
 * Over IPC, "take" answers with the counts since the last "take" and starts afresh.
 */
const TARGET_SOURCE = `
const http = require("node:http");
let slots = new Map();
const server = http.createServer((req, res) => {
  const slot = Math.floor(performance.now() / 100);
  slots.set(slot, (slots.get(slot) || 0) + 1);
  req.resume();
  res.end("ok");
});
server.keepAliveTimeout = 60000;
process.on("message", (m) => {
  if (m === "take") { process.send([...slots]); slots = new Map(); }
});
server.listen(0, "127.0.0.1", () => process.stdout.write(String(server.address().port) + "\\n"));
`;

const canPin = availableParallelism() >= 2 && hasTaskset();

function hasTaskset(): boolean {
  return spawnSync("taskset", ["--version"]).status === 0;
}

/** `command args` on one CPU when pinning is possible. */
function pinned(cpu: number, command: string, args: string[]): [string, string[]] {
  return canPin ? ["taskset", ["-c", String(cpu), command, ...args]] : [command, args];
}

interface Target {
  url: string;
  child: ChildProcess;
  /** Arrivals per 100 ms slot since the last call. */
  take(): Promise<Array<[number, number]>>;
}

async function startTarget(): Promise<Target> {
  const [command, args] = pinned(0, process.execPath, ["-e", TARGET_SOURCE]);
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "inherit", "ipc"] });
  const port = await new Promise<string>((resolve) =>
    child.stdout!.once("data", (d) => resolve(String(d).trim())),
  );
  const take = () =>
    new Promise<Array<[number, number]>>((resolve) => {
      child.once("message", (m) => resolve(m as Array<[number, number]>));
      child.send("take");
    });
  return { url: `http://127.0.0.1:${port}`, child, take };
}

/**
 * Mean over whole seconds of the busiest 100 ms slot's share of that second's arrivals (the
 * first and last second, cut by the run's start and end, left out).
 */
export function busiestShare(slots: Array<[number, number]>): number {
  const seconds = new Map<number, number[]>();
  for (const [slot, count] of slots) {
    const second = Math.floor(slot / 10);
    const tenths = seconds.get(second) ?? new Array<number>(10).fill(0);
    tenths[slot - second * 10]! += count;
    seconds.set(second, tenths);
  }
  const keys = [...seconds.keys()].sort((a, b) => a - b).slice(1, -1);
  const shares = keys.map((k) => {
    const tenths = seconds.get(k)!;
    const total = tenths.reduce((a, b) => a + b, 0);
    return total === 0 ? 0 : Math.max(...tenths) / total;
  });
  return shares.length === 0 ? Number.NaN : shares.reduce((a, b) => a + b, 0) / shares.length;
}

interface SideBySide extends ToolResult {
  name: string;
  busiest: number;
  /** The target answered under 95 % of the run's arrivals (near saturation only). */
  fellBehind?: boolean;
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(command, args, { encoding: "utf8", maxBuffer: 1 << 24 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${command}: ${error.message}\n${stderr}`)) : resolve(stdout),
    ),
  );
}

async function viaTool(kind: string, url: string, rate: number, rampSeconds = 0): Promise<ToolResult> {
  const [command, args] = pinned(1, process.execPath, [
    "--import",
    "tsx",
    join(import.meta.dirname, "loadgen-tool.ts"),
    kind,
    url,
    String(SECONDS),
    String(rate),
    String(CONNECTIONS),
    String(rampSeconds),
  ]);
  const out = await run(command, args);
  return JSON.parse(out.trim().split("\n").pop()!) as ToolResult;
}

/** wrk's latency figures are printed with units (us, ms, s). */
function wrkMillis(text: string | undefined): number {
  const m = /([\d.]+)(us|ms|s)/.exec(text ?? "");
  if (!m) return Number.NaN;
  return Number(m[1]) * ({ us: 0.001, ms: 1, s: 1000 } as Record<string, number>)[m[2]!]!;
}

/**
 * wrk (saturating, one thread) in a shell whose /proc stat then holds wrk's CPU as its waited-for
 * children's time (fields 16 and 17, in clock ticks of 10 ms). Undefined when wrk is missing.
 */
async function viaWrk(url: string): Promise<ToolResult | undefined> {
  const script = `wrk -t1 -c${CONNECTIONS} -d${SECONDS}s --latency ${url} && echo "STAT $(cat /proc/$$/stat)"`;
  const [command, args] = pinned(1, "sh", ["-c", script]);
  let out: string;
  try {
    out = await run(command, args);
  } catch {
    return undefined;
  }
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? Number.NaN);
  const stat = /STAT \d+ \(.*?\) (.*)/.exec(out)?.[1]?.split(" ") ?? [];
  // After "pid (comm)": field 16 (cutime) and 17 (cstime) are at 13 and 14.
  const ticks = Number(stat[13]) + Number(stat[14]);
  return {
    requests,
    cpuMicrosPerRequest: (ticks * 10_000) / requests,
    p50: wrkMillis(/^\s*50%\s+(\S+)/m.exec(out)?.[1]),
    p99: wrkMillis(/^\s*99%\s+(\S+)/m.exec(out)?.[1]),
  };
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

const fmt = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "n/a");
const ms = (n: number | undefined) => (n !== undefined && Number.isFinite(n) ? `${n.toFixed(2)} ms` : "n/a");

/** Each generator in turn against the same target, its arrivals counted by the target. */
async function sideBySide(target: Target): Promise<SideBySide[]> {
  const rows: SideBySide[] = [];
  const measure = async (name: string, run: () => Promise<ToolResult | undefined>) => {
    await target.take();
    const result = await run();
    const slots = await target.take();
    if (result) rows.push({ name, ...result, busiest: busiestShare(slots) });
    else console.log(`   ${name}: not installed, skipped`);
  };
  await measure(`wrk -t1 -c${CONNECTIONS} (saturating)`, () => viaWrk(target.url));
  await measure(`autocannon -c${CONNECTIONS} (saturating)`, () => viaTool("autocannon", target.url, 0));
  const saturated = rows[rows.length - 1]!.requests / SECONDS;
  await measure(`autocannon -c${CONNECTIONS} -R ${RATE}`, () => viaTool("autocannon-rate", target.url, RATE));
  await measure(`peakwatch open model ${RATE}/s`, () => viaTool("open-model", target.url, RATE));
  // Near saturation: the rate bare autocannon reached, less a tenth so the open model can hold it,
  // after a one-second ramp from a tenth of it, as a profile would climb to it; CPU per request is
  // counted after the ramp. Without it the step from nothing to ~45,000/s met a cold generator
  // (its code not yet optimised): its first second queued ~0.5–1 s of requests in the pool that
  // a rate this close to the target's limit never drained, and they cost CPU per request (median
  // 0.83 s, 18.8 µs; with a 1 s warm-up before, 0.13 s, 16.9 µs, at 38,000/s). The target's own
  // pace varies by a tenth or more between runs on a shared machine: when it fell behind (fewer
  // than 95 % of the arrivals answered), that run is shown, marked, and the figure comes from one
  // more at eight tenths.
  const RAMP = 1;
  for (const share of [0.9, 0.8]) {
    const high = Math.max(RATE, Math.round((saturated * share) / 100) * 100);
    await measure(`peakwatch open model ${high}/s`, () => viaTool("open-model", target.url, high, RAMP));
    const last = rows[rows.length - 1]!;
    // The ramp's arrivals: from a tenth of the rate to all of it, linearly.
    last.fellBehind = last.requests < 0.95 * high * (SECONDS + 0.55 * RAMP);
    if (!last.fellBehind) break;
  }
  return rows;
}

async function main() {
  const target = await startTarget();
  console.log(
    `bench:loadgen against a bare node:http server at ${target.url}, ${SECONDS} s per side-by-side run, ${
      canPin ? "target pinned to CPU 0, generators to CPU 1" : "NOT pinned (taskset or a second CPU missing)"
    }\n`,
  );
  try {
    // 1. Side by side.
    if (PARTS.has("1")) console.log("1. Side by side on the same target (each generator its own process)");
    const rows = PARTS.has("1") ? await sideBySide(target) : [];
    console.log(
      `   ${"generator".padEnd(42)} ${"requests".padStart(9)} ${"CPU/req".padStart(9)} ${"busiest 100 ms".padStart(15)} ${"p50".padStart(9)} ${"p99".padStart(9)}  scheduling lag p50 / p99 / max`,
    );
    for (const r of rows) {
      console.log(
        `   ${(r.fellBehind ? `${r.name} (fell behind)` : r.name).padEnd(42)} ${fmt(r.requests).padStart(9)} ${`${r.cpuMicrosPerRequest.toFixed(1)} µs`.padStart(9)} ${`${(r.busiest * 100).toFixed(0)} %`.padStart(15)} ${ms(r.p50).padStart(9)} ${ms(r.p99).padStart(9)}  ${
          r.lag ? `${ms(r.lag.p50)} / ${ms(r.lag.p99)} / ${ms(r.lag.max)}` : "none (not an arrival schedule)"
        }`,
      );
    }
    console.log("   busiest 100 ms: mean share of a second's arrivals in its busiest tenth (10 % = even)");
    const find = (prefix: string) => rows.find((r) => r.name.startsWith(prefix));
    const bare = find("autocannon -c32 (");
    const rated = find("autocannon -c32 -R");
    const open = find(`peakwatch open model ${RATE}/s`);
    const highs = rows.filter((r) => r.name.startsWith("peakwatch open model") && r !== open);
    // The run the target kept up with; when none did, the last one, marked as such.
    const openHigh = highs.find((r) => !r.fellBehind) ?? highs[highs.length - 1];
    const figures: BenchFigure[] = [];
    if (open && rated) {
      const ratio = open.cpuMicrosPerRequest / rated.cpuMicrosPerRequest;
      figures.push({
        measure: `open model CPU per request at ${RATE}/s`,
        value: `${open.cpuMicrosPerRequest.toFixed(1)} µs`,
        baseline: `autocannon -R ${RATE} ${rated.cpuMicrosPerRequest.toFixed(1)} µs`,
        ratio: `${ratio.toFixed(2)}×, busiest 100 ms ${(open.busiest * 100).toFixed(0)} % vs ${(rated.busiest * 100).toFixed(0)} %`,
        goal: "≤ 1.5×",
        met: ratio <= 1.5,
      });
      figures.push({
        measure: `open model whole-run p50 / p99 at ${RATE}/s, bare target`,
        value: `${ms(open.p50)} / ${ms(open.p99)}`,
        baseline: `autocannon -R ${RATE} ${ms(rated.p50)} / ${ms(rated.p99)}`,
        goal: "p50 < 0.3 ms, p99 < 5 ms",
        met: open.p50 < 0.3 && open.p99 < 5,
      });
      figures.push({
        measure: `generator scheduling lag at ${RATE}/s`,
        value: open.lag ? `p50 ${ms(open.lag.p50)}, p99 ${ms(open.lag.p99)}` : "n/a",
        baseline: "0 ms (on schedule)",
        ratio: open.lag ? `max ${ms(open.lag.max)}` : undefined,
      });
    }
    if (openHigh && bare && openHigh !== open) {
      const ratio = openHigh.cpuMicrosPerRequest / bare.cpuMicrosPerRequest;
      figures.push({
        measure: `open model CPU per request near saturation (${openHigh.name.replace("peakwatch open model ", "")}${openHigh.fellBehind ? ", fell behind" : ""})`,
        value: `${openHigh.cpuMicrosPerRequest.toFixed(1)} µs`,
        baseline: `bare autocannon ${bare.cpuMicrosPerRequest.toFixed(1)} µs`,
        ratio: `${ratio.toFixed(2)}×`,
        goal: "≤ 1.2×",
        met: ratio <= 1.2,
      });
    }

    if (PARTS.has("2")) {
      // 2. Highest rate held within ±2 %: each step 5 s, held when achieved and completed requests are within 2 % of the target and nothing dropped.
      console.log("\n2. Highest open-model rate held within ±2 % (5 s per step)");
      let held = 0;
      for (const rate of [
        1000, 2000, 3000, 4000, 5000, 6000, 8000, 10000, 12000, 14000, 16000, 20000, 24000,
      ]) {
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
        `   highest rate held: ${held} rps (baseline: bare autocannon's closed-model throughput ${fmt((bare?.requests ?? Number.NaN) / SECONDS)} req/s)`,
      );
      figures.push({
        measure: "highest open-model rate held within ±2 %",
        value: `${held} rps`,
        baseline: `bare autocannon ${fmt((bare?.requests ?? Number.NaN) / SECONDS)} req/s`,
      });
    }

    if (PARTS.has("3")) {
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
    }
    reportFigures("bench:loadgen", figures);
  } finally {
    target.child.kill();
  }
}

await main();

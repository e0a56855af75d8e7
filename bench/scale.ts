/**
 * bench:scale — does splitting a run over local worker processes buy open-model rate, and what
 * does the coordination cost? Runs `peakwatch run` (the real CLI) against a bare node:http
 * server in its own process, at a target rate above what one process can hold:
 *   1. achieved arrivals/s with 1 worker (the baseline, same run) and with 2 workers, both pinned
 *      to the same CPUs with taskset (the same CPU budget), dropped arrivals beside them;
 *   2. the coordination overhead of the split run: the spread of the workers' wake-up at the
 *      common start instant, and the time the coordinator spent merging their windows.
 * Flags: --seconds N (each run, default 10), --rate R (target arrivals/s, default 4000),
 * --cpus LIST (taskset CPU list for the generators, default all CPUs of this machine).
 * Only 127.0.0.1 is ever targeted.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { RunSummary } from "../loadgen/outputs/summary.ts";
import { startBareTarget } from "./bare-target.ts";
import { reportFigures } from "./figures.ts";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    rate: { type: "string", default: "4000" },
    cpus: { type: "string", default: `0-${availableParallelism() - 1}` },
  },
});
const SECONDS = Number(values.seconds);
const RATE = Number(values.rate);
const CPUS = values.cpus;
if (!(SECONDS > 0 && RATE > 0)) throw new Error("--seconds and --rate take positive numbers");

const hasTaskset = (() => {
  try {
    execFileSync("taskset", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

interface Measured {
  achievedPerSecond: number;
  requestsPerSecond: number;
  dropped: number;
  startSkewMs?: number;
  mergeMs?: number;
  wallSeconds: number;
}

/** One `peakwatch run` of the bench profile with `workers` processes, pinned to CPUS. */
function runCli(dir: string, url: string, workers: number): Promise<Measured> {
  const name = `w${workers}`;
  const file = join(dir, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      name: "scale",
      journeys: [{ name: "hit", steps: [{ name: "get", path: "/" }] }],
      stages: [{ duration: `${SECONDS}s`, rate: RATE }],
      executor: { connections: 64, maxVUs: 2000, maxQueueDelay: "1s" },
    }),
  );
  const out = join(dir, name);
  const args = [
    join(import.meta.dirname, "../bin/peakwatch.js"),
    "run",
    file,
    "--target",
    url,
    "--out",
    out,
    "--quiet",
    ...(workers > 1 ? ["--workers", String(workers)] : []),
  ];
  const [command, argv] = hasTaskset
    ? ["taskset", ["-c", CPUS, process.execPath, ...args]]
    : [process.execPath, args];
  const started = performance.now();
  const child = spawn(command, argv as string[], {
    stdio: ["ignore", "pipe", "inherit"],
    env: {
      ...process.env,
      PEAKWATCH_DATA_DIR: join(dir, "data"),
      PEAKWATCH_HUB_URL: "",
      PEAKWATCH_AGENT_TOKEN: "",
    },
  });
  let stdout = "";
  child.stdout!.on("data", (d) => {
    stdout += d;
  });
  return new Promise((resolve, reject) => {
    child.once("close", (code) => {
      if (code !== 0)
        return reject(new Error(`peakwatch run with ${workers} worker(s) exited ${code}:\n${stdout}`));
      const s = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as RunSummary;
      const overhead = stdout.match(/start skew ([\d.]+) ms, merge (\d+) ms/);
      resolve({
        achievedPerSecond: s.achievedArrivals / SECONDS,
        requestsPerSecond: s.requests / SECONDS,
        dropped: s.dropped,
        startSkewMs: overhead ? Number(overhead[1]) : undefined,
        mergeMs: overhead ? Number(overhead[2]) : undefined,
        wallSeconds: (performance.now() - started) / 1000,
      });
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), "pw-bench-scale-"));
const target = await startBareTarget();
try {
  console.log(
    `open model at ${RATE} arrivals/s for ${SECONDS} s against ${target.url}; generators ${hasTaskset ? `pinned to CPUs ${CPUS}` : "not pinned (no taskset)"}`,
  );
  const one = await runCli(dir, target.url, 1);
  console.log(`1 worker:  ${JSON.stringify(one)}`);
  const two = await runCli(dir, target.url, 2);
  console.log(`2 workers: ${JSON.stringify(two)}`);
  const fmt = (m: Measured) => `${Math.round(m.achievedPerSecond).toLocaleString("en")} arrivals/s`;
  reportFigures("scale", [
    {
      measure: `open-model rate achieved, 2 workers, target ${RATE}/s, CPUs ${hasTaskset ? CPUS : "unpinned"}`,
      value: `${fmt(two)} (${two.dropped} dropped)`,
      baseline: `1 worker: ${fmt(one)} (${one.dropped} dropped)`,
      ratio: `${(two.achievedPerSecond / one.achievedPerSecond).toFixed(2)}×`,
    },
    {
      measure: "start barrier skew, 2 workers (spread of wake-up at the common instant)",
      value: `${(two.startSkewMs ?? Number.NaN).toFixed(1)} ms`,
      baseline: `${(1000 / RATE).toFixed(2)} ms between two arrivals`,
    },
    {
      measure: "coordinator merge time, 2 workers (windows merged into one report)",
      value: `${two.mergeMs ?? Number.NaN} ms over ${SECONDS} s`,
      baseline: `${SECONDS * 1000} ms of run`,
      ratio: `${(((two.mergeMs ?? 0) / (SECONDS * 1000)) * 100).toFixed(2)} % of one core`,
    },
    {
      measure: "wall time of the whole command (start-up, warm-up, run, reports)",
      value: `${two.wallSeconds.toFixed(1)} s with 2 workers`,
      baseline: `${one.wallSeconds.toFixed(1)} s with 1`,
    },
  ]);
} finally {
  target.child.kill();
  rmSync(dir, { recursive: true, force: true });
}

/**
 * One generator of bench:loadgen's side-by-side comparison, run as its own (pinned) process so
 * its CPU is its own: `tsx bench/loadgen-tool.ts KIND URL SECONDS RATE CONNECTIONS [RAMP]`, KIND
 * one of `autocannon` (saturating), `autocannon-rate` (`-R RATE`) or `open-model` (peakwatch's
 * arrival rate executor at RATE, after RAMP seconds rising from a tenth of it when given). Prints
 * one JSON line: requests, CPU µs of this process per request (start-up excluded), p50/p99 ms as
 * the tool reports them, and (open model) scheduling lag.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { parseProfile } from "../core/profile.ts";
import { runLoad } from "../loadgen/runner.ts";
import type { WindowSink } from "../loadgen/window-aggregator.ts";

export interface ToolResult {
  requests: number;
  /** CPU of this process per request, µs. */
  cpuMicrosPerRequest: number;
  p50: number;
  p99: number;
  /** The generator's own lateness (open model only), ms. */
  lag?: { p50: number; p99: number; max: number };
}

const [kind, url, secondsArg, rateArg, connectionsArg, rampArg] = process.argv.slice(2);
const seconds = Number(secondsArg);
const rate = Number(rateArg);
const connections = Number(connectionsArg);
const ramp = Number(rampArg ?? 0);
if (!url?.startsWith("http://127.0.0.1:")) throw new Error("loadgen-tool: URL must be http://127.0.0.1:PORT");

async function viaAutocannon(overallRate: number | undefined): Promise<ToolResult> {
  const cpu = process.cpuUsage();
  const result = await autocannon({ url: url!, connections, duration: seconds, overallRate });
  const used = process.cpuUsage(cpu);
  return {
    requests: result.requests.total,
    cpuMicrosPerRequest: (used.user + used.system) / result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
}

async function viaOpenModel(): Promise<ToolResult> {
  const parsed = parseProfile({
    name: "bench",
    journeys: [{ name: "hit", steps: [{ name: "get", path: "/" }] }],
    ...(ramp > 0
      ? {
          startRate: rate / 10,
          stages: [
            { duration: ramp, rate },
            { duration: seconds, rate },
          ],
        }
      : { stages: [{ duration: seconds, rate }] }),
    executor: { connections, maxVUs: 5000 },
  });
  if (!parsed.ok) throw new Error(parsed.error);
  const dir = mkdtempSync(join(tmpdir(), "pw-bench-"));
  // CPU per request over the arrivals only: from the first closed second to the last, so the
  // warm-up before the first arrival and the reports written after the last are left out.
  let first: NodeJS.CpuUsage | undefined;
  let last: NodeJS.CpuUsage | undefined;
  let counted = 0;
  const meter: WindowSink = {
    accept(windows) {
      const now = process.cpuUsage();
      if (first) for (const w of windows) if (w.step === "get") counted += w.count;
      first ??= now;
      last = now;
    },
  };
  try {
    const run = await runLoad({
      sinks: [meter],
      profile: parsed.profile,
      profileName: "bench",
      target: url!,
      runId: "bench",
      dataDir: dir,
      outDir: dir,
      log: () => {},
      // As `peakwatch run` does: this process is the run's own.
      collectBeforeStart: true,
    });
    const step = run.summary.steps.get;
    const lag = run.schedulingLag;
    const cpu = first && last ? last.user + last.system - first.user - first.system : Number.NaN;
    return {
      requests: run.requests,
      cpuMicrosPerRequest: cpu / counted,
      p50: step?.p50 ?? Number.NaN,
      p99: step?.p99 ?? Number.NaN,
      lag: lag && { p50: lag.p50, p99: lag.p99, max: lag.max },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const runs: Record<string, () => Promise<ToolResult>> = {
  autocannon: () => viaAutocannon(undefined),
  "autocannon-rate": () => viaAutocannon(rate),
  "open-model": viaOpenModel,
};
const run = runs[kind ?? ""];
if (!run) throw new Error(`loadgen-tool: KIND must be one of ${Object.keys(runs).join(", ")}`);
process.stdout.write(`${JSON.stringify(await run())}\n`);

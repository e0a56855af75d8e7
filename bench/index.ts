/**
 * npm run bench — runs every `bench:*` script of package.json one after another, each as its
 * own process with settings short enough that the whole set stays under 10 minutes, and ends
 * with one summary table: each bench's headline figures beside their same-run baselines (what
 * the bench reports through bench/figures.ts), its exit status and how long it took.
 *
 * Full output of each bench goes to <out>/<name>.log (out: BENCH_OUT, default .peakwatch/bench).
 * `npm run bench -- shop loadgen` runs only those. A bench past its time budget is stopped and
 * shown as such; the others still run.
 */
import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { BenchFigure } from "./figures.ts";

/** Short settings per bench (environment and arguments) and how long it may take, in seconds. */
const quick: Record<string, { env?: Record<string, string>; args?: string[]; budget: number }> = {
  shop: { env: { BENCH_SECONDS: "3" }, budget: 170 },
  loadgen: { args: ["--seconds", "5", "--rss-seconds", "30"], budget: 150 },
  hub: { env: { BENCH_SECONDS: "5", BENCH_CLIENTS: "1000" }, budget: 200 },
  alerting: { budget: 90 },
  probes: { env: { BENCH_SECONDS: "2", BENCH_ROUNDS: "2" }, budget: 45 },
  dashboard: { budget: 45 },
  scale: { args: ["--seconds", "5"], budget: 150 },
  // The whole curve at the full rate, squeezed to about 70 s (bench:holiday alone runs all 7.5 min).
  holiday: { args: ["--duration-scale", "0.15"], budget: 180 },
};
const DEFAULT_BUDGET = 60;

interface Outcome {
  name: string;
  status: "ok" | "failed" | "timed out";
  code: number | null;
  seconds: number;
  figures: Array<BenchFigure & { bench: string }>;
  log: string;
}

function benchScripts(): Array<{ name: string; command: string }> {
  const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { scripts: Record<string, string> };
  return Object.entries(pkg.scripts)
    .filter(([key]) => key.startsWith("bench:"))
    .map(([key, command]) => ({ name: key.slice("bench:".length), command }));
}

/** Signals a bench's process group; one that has already gone is not an error (the next bench runs). */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

function runOne(name: string, command: string, out: string): Promise<Outcome> {
  const settings = quick[name] ?? { budget: DEFAULT_BUDGET };
  const log = join(out, `${name}.log`);
  const figuresFile = join(out, `${name}.figures.jsonl`);
  rmSync(figuresFile, { force: true });
  const started = performance.now();
  const args = settings.args?.map((a) => JSON.stringify(a)).join(" ") ?? "";
  const child = spawn("sh", ["-c", `${command} ${args}`], {
    env: {
      ...process.env,
      ...settings.env,
      BENCH_FIGURES_FILE: figuresFile,
      PATH: `${join(process.cwd(), "node_modules", ".bin")}:${process.env.PATH}`,
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const file = createWriteStream(log);
  child.stdout.pipe(file);
  child.stderr.pipe(file);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    // The bench and the servers it started form one process group.
    signalGroup(child.pid!, "SIGTERM");
    // A child ended by the signal has no exit code, only a signal code: check both.
    setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) signalGroup(child.pid!, "SIGKILL");
    }, 5000).unref();
  }, settings.budget * 1000);
  return new Promise((resolve) => {
    child.once("close", (code) => {
      clearTimeout(timer);
      file.end();
      const figures = existsSync(figuresFile)
        ? readFileSync(figuresFile, "utf8")
            .split("\n")
            .filter(Boolean)
            .map((line) => JSON.parse(line) as BenchFigure & { bench: string })
        : [];
      resolve({
        name,
        status: timedOut ? "timed out" : code === 0 ? "ok" : "failed",
        code,
        seconds: (performance.now() - started) / 1000,
        figures,
        log,
      });
    });
  });
}

function summary(outcomes: Outcome[], totalSeconds: number): string {
  const rows: string[][] = [["bench", "measure", "figure", "same-run baseline", "ratio", "goal"]];
  for (const o of outcomes) {
    const head = `${o.name} (${o.status}, ${o.seconds.toFixed(0)} s)`;
    if (o.figures.length === 0) rows.push([head, "(no figures reported: see log)", "", "", "", ""]);
    o.figures.forEach((f, i) => {
      const goal = f.goal ? `${f.goal}${f.met === undefined ? "" : f.met ? " met" : " NOT met"}` : "";
      rows.push([i === 0 ? head : "", f.measure, f.value, f.baseline, f.ratio ?? "", goal]);
    });
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c]!)).join(" | ")} |`;
  const rule = `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`;
  return [
    line(rows[0]!),
    rule,
    ...rows.slice(1).map(line),
    "",
    `${outcomes.length} benches in ${(totalSeconds / 60).toFixed(1)} min; logs: ${outcomes.map((o) => o.log).join(", ")}`,
  ].join("\n");
}

async function main(): Promise<number> {
  const only = process.argv.slice(2);
  const scripts = benchScripts().filter((s) => only.length === 0 || only.includes(s.name));
  const unknown = only.filter((n) => !scripts.some((s) => s.name === n));
  if (unknown.length > 0) {
    console.error(`npm run bench: no bench:${unknown.join(", bench:")} script in package.json`);
    return 2;
  }
  const out = process.env.BENCH_OUT ?? join(".peakwatch", "bench");
  mkdirSync(out, { recursive: true });
  const budget = scripts.reduce((s, b) => s + (quick[b.name]?.budget ?? DEFAULT_BUDGET), 0);
  console.log(`running ${scripts.length} benches, at most ${(budget / 60).toFixed(1)} min in all`);
  const started = performance.now();
  const outcomes: Outcome[] = [];
  for (const { name, command } of scripts) {
    process.stdout.write(`  bench:${name} … `);
    const o = await runOne(name, command, out);
    console.log(
      `${o.status}${o.code && o.status === "failed" ? ` (exit ${o.code})` : ""} in ${o.seconds.toFixed(0)} s`,
    );
    outcomes.push(o);
  }
  console.log(`\n${summary(outcomes, (performance.now() - started) / 1000)}`);
  return outcomes.every((o) => o.status === "ok") ? 0 : 1;
}

process.exitCode = await main();

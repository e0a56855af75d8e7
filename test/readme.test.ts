import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../bin/up/ports.ts";
import { type PeakwatchProcess, startPeakwatch, withoutStackSettings } from "./helpers/up.ts";

const repo = join(import.meta.dirname, "..");
const readme = readFileSync(join(repo, "README.md"), "utf8");

/** The README sections whose shell examples a new user types first. */
const SECTIONS = ["Quick start", "Command line", "Load generator (`peakwatch run`)"];

interface Example {
  section: string;
  /** The paragraph just before the block, which says when to run it. */
  lead: string;
  command: string;
}

/** Every command line of the ```sh blocks in `SECTIONS` (a section runs to the next heading of its level or above). */
function shellExamples(text: string): Example[] {
  const lines = text.split("\n");
  const out: Example[] = [];
  let section: string | undefined;
  let level = 0;
  let inBlock = false;
  let lead = "";
  let previousBlank = true;
  for (const line of lines) {
    const heading = /^(#{2,3}) (.+)$/.exec(line);
    if (heading && !inBlock) {
      const depth = heading[1]!.length;
      if (SECTIONS.includes(heading[2]!)) {
        section = heading[2]!;
        level = depth;
      } else if (section && depth <= level) section = undefined;
      continue;
    }
    if (!section) continue;
    if (line.startsWith("```")) {
      inBlock = !inBlock && line.trim() === "```sh";
      continue;
    }
    if (inBlock) {
      const command = line.replace(/\s+#.*$/, "").trim();
      if (command) out.push({ section, lead, command });
    } else if (line.trim()) {
      lead = previousBlank ? line.trim() : `${lead} ${line.trim()}`;
      previousBlank = false;
    } else previousBlank = true;
  }
  return out;
}

/** Why a command is not run here; undefined means it is run. Every example must be one or the other. */
function skipReason(e: Example): string | undefined {
  if (e.command === "npm install") return "installs dependencies; the test run already has them";
  if (e.command === "npm start") return "the test starts the same stack itself (peakwatch up on free ports)";
  if (e.command === "npm test") return "runs the whole suite, which includes this test";
  return undefined;
}

/** Examples the README says to run with the stack stopped. */
const afterStop = (e: Example) => /stack stopped/i.test(e.lead);

function sh(command: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn("bash", ["-c", command], {
      cwd: repo,
      env: { ...process.env, ...withoutStackSettings, NO_COLOR: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => {
      output += d;
    });
    child.stderr.on("data", (d) => {
      output += d;
    });
    child.on("close", (code) => resolve({ code, output }));
  });
}

const examples = shellExamples(readme);

describe("README shell examples run as written against npm start", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "pw-readme-"));
  // Only the data directory differs from a user's `npm start` (and free ports, as on a shared machine).
  const env = { PEAKWATCH_DATA_DIR: dataDir };
  let up: PeakwatchProcess;

  beforeAll(async () => {
    up = startPeakwatch(["up"], {
      ...withoutStackSettings,
      ...env,
      PEAKWATCH_HUB_PORT: String(await freePort()),
      PEAKWATCH_SHOP_PORT: String(await freePort()),
      PEAKWATCH_PROBES_PORT: String(await freePort()),
    });
    await up.waitFor(/Peakwatch is up/, 280_000);
  }, 300_000);

  afterAll(async () => {
    if (up && up.proc.exitCode === null) process.kill(-up.proc.pid!, "SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
    for (const out of ["/tmp/peakwatch-smoke", "/tmp/peakwatch-holiday"])
      rmSync(out, { recursive: true, force: true });
  });

  it("finds the examples of the quick start and the command line sections", () => {
    expect(examples.filter((e) => e.section === "Quick start").map((e) => e.command)).toEqual(
      expect.arrayContaining(["npm install", "npm start", "npx peakwatch run smoke"]),
    );
    expect(examples.filter((e) => e.section === "Command line").length).toBeGreaterThanOrEqual(5);
    const skipped = examples.filter((e) => skipReason(e) !== undefined);
    console.log(
      `README examples: ${examples.length - skipped.length} run, ${skipped.length} skipped:\n${skipped
        .map((e) => `  skipped \`${e.command}\` (${e.section}): ${skipReason(e)}`)
        .join("\n")}`,
    );
  });

  it("runs each example meant for a running stack; each exits 0 (a run may also report a failed threshold)", async () => {
    const failures: string[] = [];
    for (const e of examples.filter((x) => !skipReason(x) && !afterStop(x))) {
      const started = Date.now();
      const r = await sh(e.command, env);
      console.log(`\`${e.command}\`: exit ${r.code} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
      const isRun = /\bpeakwatch run\b/.test(e.command);
      // A load run that completed exits 0 when its thresholds pass and 1 when one fails; both ran as written.
      const ok = r.code === 0 || (isRun && r.code === 1 && /\nreport: /.test(r.output));
      if (!ok) failures.push(`\`${e.command}\` exited ${r.code}:\n${r.output.slice(-2000)}`);
      if (/\bpeakwatch (run|keys|probes)\b/.test(e.command))
        expect(r.output, e.command).toMatch(/joined the stack at http:\/\/127\.0\.0\.1:\d+/);
    }
    expect(failures).toEqual([]);
  }, 600_000);

  it("runs the examples meant for a stopped stack once it has stopped", async () => {
    process.kill(-up.proc.pid!, "SIGINT");
    expect(await up.exited).toBe(0);
    const failures: string[] = [];
    for (const e of examples.filter((x) => !skipReason(x) && afterStop(x))) {
      const r = await sh(e.command, env);
      console.log(`\`${e.command}\` (stack stopped): exit ${r.code}`);
      if (r.code !== 0) failures.push(`\`${e.command}\` exited ${r.code}:\n${r.output.slice(-2000)}`);
    }
    expect(failures).toEqual([]);
  }, 300_000);
});

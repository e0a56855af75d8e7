import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunSummary } from "../../loadgen/outputs/summary.ts";
import { startTestTarget, type TestTarget } from "../helpers/loadgen.ts";

const bin = join(import.meta.dirname, "../../bin/peakwatch.js");

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(
  args: string[],
  env: Record<string, string>,
  onStart?: (child: ChildProcess) => void,
): Promise<Exit> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, "run", ...args, "--quiet"], {
      env: {
        ...process.env,
        PEAKWATCH_SHOP_URL: "",
        PEAKWATCH_HUB_URL: "",
        PEAKWATCH_ALLOWED_TARGETS: "",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    onStart?.(child);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("peakwatch run (command line)", () => {
  let dir: string;
  let target: TestTarget;
  const profile = (name: string, body: object) => {
    const path = join(dir, name);
    writeFileSync(
      path,
      JSON.stringify({ name, journeys: [{ name: "hit", steps: [{ name: "get", path: "/" }] }], ...body }),
    );
    return path;
  };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "pw-cli-"));
    target = await startTestTarget({ delayMs: 30 });
  });
  afterAll(async () => {
    await target.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a failing threshold exits 1 and the JUnit file names it", async () => {
    const file = profile("fail.json", {
      stages: [{ duration: "2s", rate: 20 }],
      thresholds: ["p95(get) < 5ms", "error_rate < 1%"],
    });
    const out = join(dir, "fail-out");
    const r = await run([file, "--target", target.url, "--out", out], { PEAKWATCH_DATA_DIR: dir });
    expect(r.code, r.stderr).toBe(1);
    const junit = readFileSync(join(out, "thresholds.xml"), "utf8");
    expect(junit).toMatch(
      /<testcase [^>]*name="p95\(get\) &lt; 5ms"[^>]*>\s*<failure message="threshold failed: p95\(get\) &lt; 5ms/,
    );
    expect(junit).toMatch(/name="error_rate &lt; 1%"[^>]*><\/testcase>/);
    expect(junit).toContain('failures="1"');
    expect(readFileSync(join(out, "report.html"), "utf8")).toContain("<svg");
  });

  it("an abort threshold stops the run early", async () => {
    const file = profile("abort.json", {
      stages: [{ duration: "20s", rate: 20 }],
      thresholds: [{ expression: "p95 < 5ms", abortOnFail: true, window: "2s", delayAbortEval: "1s" }],
    });
    const out = join(dir, "abort-out");
    const r = await run([file, "--target", target.url, "--out", out], { PEAKWATCH_DATA_DIR: dir });
    expect(r.code, r.stderr).toBe(1);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as RunSummary;
    expect(summary.status).toBe("failed");
    expect(summary.abortedBy).toMatchObject({ expression: "p95 < 5ms" });
    expect(summary.elapsedSeconds).toBeLessThan(10);
    expect(r.stdout).toMatch(/stopped early: p95 < 5ms/);
  });

  it("a bad profile names the bad field and exits 2", async () => {
    target.arrivals.length = 0;
    const file = profile("bad.json", {
      stages: [
        { duration: "10s", rate: 5 },
        { duration: "5s", rate: -3 },
      ],
    });
    const r = await run([file, "--target", target.url], { PEAKWATCH_DATA_DIR: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/stages\[1\]\.rate: /);
    expect(target.arrivals).toHaveLength(0);
  });

  it("a bad flag names the flag and exits 2", async () => {
    const r = await run(["smoke", "--target", target.url, "--rate-scale", "fast"], {
      PEAKWATCH_DATA_DIR: dir,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--rate-scale: expected a number/);
  });

  it("refuses a target that is not allowlisted, saying how to allow it", async () => {
    const r = await run(["smoke", "--target", "http://shop.example.com:8080"], { PEAKWATCH_DATA_DIR: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refusing to send load to shop\.example\.com:8080/);
    expect(r.stderr).toMatch(/PEAKWATCH_ALLOWED_TARGETS=shop\.example\.com/);
  });

  it("SIGTERM stops the run, clears the faults it set and reports aborted", async () => {
    target.adminCalls.length = 0;
    const file = profile("faulty.json", {
      stages: [{ duration: "30s", rate: 10 }],
      faults: [{ at: "0.5s", fault: "latency", params: { fixedMs: 100 } }],
    });
    const out = join(dir, "faulty-out");
    const r = await run(
      [file, "--target", target.url, "--out", out, "--admin-token", "secret"],
      { PEAKWATCH_DATA_DIR: dir },
      (child) => {
        const poll = setInterval(() => {
          if (target.adminCalls.length > 0) {
            clearInterval(poll);
            setTimeout(() => child.kill("SIGTERM"), 500);
          }
        }, 100);
      },
    );
    expect(r.code).toBe(1);
    expect(target.adminCalls).toEqual(["PUT /admin/faults/latency", "DELETE /admin/faults/latency"]);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as RunSummary;
    expect(summary.status).toBe("aborted");
    expect(summary.faults.map((f) => `${f.action} ${f.fault}`)).toEqual(["set latency", "clear latency"]);
  });
});

import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunSummary } from "../../loadgen/outputs/summary.ts";
import { peakwatch } from "../helpers/cli.ts";
import { startTestTarget, type TestTarget } from "../helpers/loadgen.ts";

/** `peakwatch run ARGS --quiet`, PEAKWATCH_ALLOWED_TARGETS cleared unless the test sets it. */
function run(args: string[], env: Record<string, string>, onStart?: (child: ChildProcess) => void) {
  return peakwatch(["run", ...args, "--quiet"], { PEAKWATCH_ALLOWED_TARGETS: "", ...env }, { onStart });
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
    // No hub anywhere: the run says so at the start, and where its results go instead.
    expect(r.stderr).toMatch(
      /no hub \(no --hub, PEAKWATCH_HUB_URL or running stack\), so results stay local: .*fail-out/,
    );
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

  it("refuses to split the breakpoint profile across machines, naming --worker-index", async () => {
    const r = await run(
      ["breakpoint", "--target", target.url, "--workers", "2", "--worker-index", "1", "--run-id", "bp-split"],
      { PEAKWATCH_DATA_DIR: dir },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /--worker-index: profile breakpoint finds a capacity and cannot be split across machines/,
    );
  });

  it("refuses a target that is not allowlisted, saying how to allow it", async () => {
    const r = await run(["smoke", "--target", "http://shop.example.com:8080"], { PEAKWATCH_DATA_DIR: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refusing to send load to shop\.example\.com:8080/);
    expect(r.stderr).toMatch(/PEAKWATCH_ALLOWED_TARGETS=shop\.example\.com/);
  });

  /** A loopback listener that answers 200 to everything and keeps each request's headers. */
  async function captureListener() {
    const seen: Array<{ method: string; url: string; headers: IncomingHttpHeaders }> = [];
    const server = createServer((req, res) => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
      req.resume();
      res.setHeader("content-type", "application/json");
      res.end("{}");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { url, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  }
  const checkoutProfile = (name: string, extra: object = {}) =>
    profile(name, {
      stages: [{ duration: "3s", rate: 5 }],
      journeys: [
        { name: "hit", steps: [{ name: "get", path: "/" }] },
        { name: "checkout", weight: 1 },
      ],
      ...extra,
    });

  it("a token the hub refuses exits 2 before any request, naming --token (it once spooled the whole run and exited 0)", async () => {
    const shop = await captureListener();
    const hub = createServer((req, res) => {
      req.resume();
      res.statusCode = 401;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ error: "unauthorized", message: "unknown agent token" }));
    });
    await new Promise<void>((resolve) => hub.listen(0, "127.0.0.1", resolve));
    const hubUrl = `http://127.0.0.1:${(hub.address() as AddressInfo).port}`;
    try {
      const plain = profile("token-check.json", { stages: [{ duration: "3s", rate: 5 }] });
      const r = await run([plain, "--target", shop.url, "--hub", hubUrl, "--token", "wrong"], {
        PEAKWATCH_DATA_DIR: dir,
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /--token: the hub at http:\/\/127\.0\.0\.1:\d+ refused the agent token \(401: unknown agent token\)/,
      );
      expect(shop.seen).toEqual([]);
    } finally {
      await shop.close();
      await new Promise<void>((resolve) => hub.close(() => resolve()));
    }
  });

  it("a journey that needs the mailbox without the test-hooks token exits 2 before any request, naming the setting", async () => {
    const listener = await captureListener();
    try {
      const r = await run([checkoutProfile("needs-mailbox.json"), "--target", listener.url], {
        PEAKWATCH_DATA_DIR: dir,
        SHOP_TEST_HOOKS_TOKEN: "",
      });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(
        /--test-hooks-token is required: journey checkout logs in with a code read from the shop's capture mailbox \(or set SHOP_TEST_HOOKS_TOKEN\)/,
      );
      expect(listener.seen).toEqual([]);
    } finally {
      await listener.close();
    }
  });

  it("keeps the shop's admin and test-hook tokens from any target but the configured shop (issue 14 #8)", async () => {
    const configuredShop = await captureListener();
    const collector = await captureListener();
    const secrets = { SHOP_ADMIN_TOKEN: "s3cret-admin-token", SHOP_TEST_HOOKS_TOKEN: "s3cret-hooks-token" };
    const faulty = checkoutProfile("faults-and-login.json", {
      stages: [{ duration: "2s", rate: 5 }],
      faults: [{ at: "0s", fault: "latency", params: { fixedMs: 10 }, duration: "1s" }],
    });
    const leaked = (seen: typeof collector.seen) =>
      seen.filter((r) => JSON.stringify(r.headers).match(/s3cret-(admin|hooks)-token/));
    try {
      // Another listener on loopback, allowlisted like any loopback port: before the fix it got
      // Authorization: Bearer <admin token> on PUT /admin/faults/… and the hooks token on /__test/mailbox.
      const elsewhere = await run([faulty, "--target", collector.url], {
        PEAKWATCH_DATA_DIR: dir,
        PEAKWATCH_SHOP_URL: configuredShop.url,
        ...secrets,
      });
      expect(elsewhere.code, elsewhere.stderr).toBe(2);
      expect(elsewhere.stderr).toMatch(
        new RegExp(`SHOP_ADMIN_TOKEN is set, but it belongs to the shop at ${configuredShop.url}`),
      );
      expect(leaked(collector.seen)).toEqual([]);
      expect(collector.seen).toEqual([]);

      // The configured shop itself gets them: the fault switch carries the admin token.
      const own = await run([faulty, "--target", configuredShop.url, "--out", join(dir, "own-shop")], {
        PEAKWATCH_DATA_DIR: dir,
        PEAKWATCH_SHOP_URL: configuredShop.url,
        ...secrets,
      });
      expect([0, 1]).toContain(own.code);
      const faultCalls = configuredShop.seen.filter((r) => r.url.startsWith("/admin/faults/"));
      expect(faultCalls.length).toBeGreaterThan(0);
      expect(faultCalls[0]!.headers.authorization).toBe("Bearer s3cret-admin-token");
    } finally {
      await configuredShop.close();
      await collector.close();
    }
  });

  it("a generator that crashes mid-run exits 4, not 1 (which says a threshold failed)", async () => {
    // Code preloaded into the real process throws, uncaught, once the run is sending.
    const crash = join(dir, "crash.cjs");
    writeFileSync(
      crash,
      'process.on("SIGUSR2", () => setImmediate(() => { throw new Error("boom in the generator"); }));\n',
    );
    const file = profile("crash.json", { stages: [{ duration: "20s", rate: 5 }], thresholds: ["p95 < 1ms"] });
    const before = target.arrivals.length;
    const r = await run(
      [file, "--target", target.url, "--out", join(dir, "crash-out")],
      { PEAKWATCH_DATA_DIR: dir, NODE_OPTIONS: `--require ${crash}` },
      (child) => {
        const poll = setInterval(() => {
          if (target.arrivals.length <= before) return;
          clearInterval(poll);
          child.kill("SIGUSR2");
        }, 50);
      },
    );
    expect(target.arrivals.length).toBeGreaterThan(before);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/peakwatch: internal error: Error: boom in the generator/);
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
          if (target.adminCalls.some((call) => call.startsWith("PUT "))) {
            clearInterval(poll);
            setTimeout(() => child.kill("SIGTERM"), 500);
          }
        }, 100);
      },
    );
    // Stopped, not "a threshold failed": its own exit code.
    expect(r.code).toBe(130);
    // The switch's state is read first: one already on by hand would be put back, not cleared.
    expect(target.adminCalls).toEqual([
      "GET /admin/faults",
      "PUT /admin/faults/latency",
      "DELETE /admin/faults/latency",
    ]);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as RunSummary;
    expect(summary.status).toBe("aborted");
    expect(summary.faults.map((f) => `${f.action} ${f.fault}`)).toEqual(["set latency", "clear latency"]);
  });
});

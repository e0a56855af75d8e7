import { execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, portIsFree } from "../bin/up/ports.ts";
import type { StackFile } from "../core/stack.ts";
import { chromiumInstalled, launchBrowser, screenshot, skipReason } from "./helpers/browser.ts";
import {
  alive,
  eventually,
  logInFromOutput,
  type PeakwatchProcess,
  pidsWithArg,
  startPeakwatch,
  withoutStackSettings,
} from "./helpers/up.ts";

const bin = join(import.meta.dirname, "../bin/peakwatch.js");
const exec = promisify(execFile);
// A user's project directory: `npm start` there puts its data in ./.peakwatch.
const root = mkdtempSync(join(tmpdir(), "peakwatch-up-"));
const dataDir = join(root, ".peakwatch");
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function portsEnv() {
  return {
    ...withoutStackSettings,
    PEAKWATCH_DATA_DIR: dataDir,
    PEAKWATCH_HUB_PORT: String(await freePort()),
    PEAKWATCH_SHOP_PORT: String(await freePort()),
    PEAKWATCH_PROBES_PORT: String(await freePort()),
  };
}

const firstProduct = async (shopUrl: string) => {
  const response = await fetch(`${shopUrl}/api/products?pageSize=1&sort=name`);
  const body = (await response.json()) as { items: { id: string }[] };
  return body.items[0]?.id;
};

const status = async (url: string) => {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await response.body?.cancel();
    return response.status;
  } catch {
    return 0;
  }
};

/** `peakwatch ARGS` run in `root` the way a user types it: no flags beyond ARGS, no token variables. */
function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: root,
      env: { ...process.env, ...withoutStackSettings, NO_COLOR: "1" },
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
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Waits for exit; returns how long it took from `since`. */
async function stoppedWithin(
  up: PeakwatchProcess,
  since: number,
): Promise<{ code: number | string; ms: number }> {
  const code = await up.exited;
  return { code, ms: Date.now() - since };
}

describe("peakwatch up: one stack the CLI and the dashboard follow", () => {
  let env: Awaited<ReturnType<typeof portsEnv>>;
  let up: PeakwatchProcess;
  let hubUrl: string;
  let shopUrl: string;
  let session: Awaited<ReturnType<typeof logInFromOutput>>;
  let firstProductId: string | undefined;
  let smokeRunId: string | undefined;

  beforeAll(async () => {
    env = await portsEnv();
    hubUrl = `http://127.0.0.1:${env.PEAKWATCH_HUB_PORT}`;
    shopUrl = `http://127.0.0.1:${env.PEAKWATCH_SHOP_PORT}`;
    // A hung child is restarted after this many silent seconds (30 by default).
    up = startPeakwatch(["up"], { ...env, PEAKWATCH_UP_UNHEALTHY_SECONDS: "5" });
    const started = Date.now();
    await up.waitFor(/Dashboard: +http:\/\/127\.0\.0\.1:\d+\//, 280_000);
    console.log(`platform healthy after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    session = await logInFromOutput(hubUrl, up);
    firstProductId = await firstProduct(shopUrl);
  }, 300_000);

  afterAll(async () => {
    if (up && up.proc.exitCode === null) process.kill(-up.proc.pid!, "SIGKILL");
  });

  it("1. writes a 0600 stack file, and `peakwatch run smoke` with no target, hub or token flags joins it, reports to the hub and exits 0", async () => {
    const file = join(dataDir, "stack.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const stack = JSON.parse(readFileSync(file, "utf8")) as StackFile;
    expect(stack.hub.url).toBe(hubUrl);
    expect(stack.shop.url).toBe(shopUrl);
    // Marked ready with the banner: a command joining earlier waits for this instead of failing.
    expect(Date.parse(stack.readyAt ?? "")).toBeGreaterThanOrEqual(Date.parse(stack.startedAt));
    // Probes start after the hub answers, so their first ask for its probe definitions succeeds.
    expect(up.output()).toMatch(/hub listening on[\s\S]*started probes/);
    expect(up.output()).not.toMatch(/probe configuration unreachable/);

    // The whole 30 s (about 150 journeys): a shorter run (45 journeys) had none that logged in
    // once in CI, and the logins are what shows the mailbox token came from the stack.
    const r = await cli(["run", "smoke", "--quiet"]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stderr).toContain(`joined the stack at ${hubUrl}`);
    expect(r.stderr).toMatch(new RegExp(`against ${shopUrl}, reporting to the hub at ${hubUrl}`));
    smokeRunId = r.stderr.match(/peakwatch run: (\S+) against/)?.[1];
    expect(smokeRunId).toBeTruthy();

    const detail = await fetch(`${hubUrl}/api/v1/runs/${smokeRunId}`, { headers: session.headers });
    expect(detail.status).toBe(200);
    const body = (await detail.json()) as {
      run: { status: string };
      steps: Record<string, { count: number; latency: { p95: number } }>;
    };
    console.log(
      `smoke run, p95 per step (ms): ${Object.entries(body.steps)
        .map(([step, s]) => `${step} ${s.latency.p95} (${s.count})`)
        .join(", ")}`,
    );
    expect(body.run.status).toBe("passed");
    // Windows arrived for the journeys' steps, logins included: the mailbox token came from the stack.
    expect(body.steps.otp_verify?.count ?? 0).toBeGreaterThan(0);
    expect(Object.keys(body.steps).length).toBeGreaterThan(3);

    // The dashboard's defaults and the notification links follow the ports really in use.
    const config = (await (await fetch(`${hubUrl}/api/v1/config`, { headers: session.headers })).json()) as {
      shopUrl: string;
      externalUrl: string;
    };
    expect(config.shopUrl).toBe(shopUrl);
    expect(config.externalUrl).toBe(`${hubUrl}/`);
  }, 180_000);

  it("1b. a profile file with a fault timeline runs with the stack's admin token", async () => {
    const profile = join(root, "fault-timeline.json");
    writeFileSync(
      profile,
      JSON.stringify({
        name: "fault-timeline",
        stages: [{ duration: "4s", rate: 3 }],
        journeys: [{ name: "home" }],
        faults: [{ at: "1s", fault: "latency", params: { fixedMs: 20 }, duration: "1s" }],
      }),
    );
    const r = await cli(["run", profile, "--quiet", "--out", join(root, "fault-out")]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const summary = JSON.parse(readFileSync(join(root, "fault-out", "summary.json"), "utf8")) as {
      faults: Array<{ action: string; fault: string; detail?: string }>;
    };
    expect(summary.faults.map((f) => `${f.action} ${f.fault} ${f.detail ?? ""}`.trim())).toEqual([
      'set latency {"fixedMs":20}',
      "clear latency",
    ]);
  }, 120_000);

  it.skipIf(!chromiumInstalled)(
    "2. the Control view's default target in Chromium is the shop on its non-default port",
    async () => {
      const browser = await launchBrowser();
      try {
        const page = await browser.context.newPage();
        await page.goto(`${hubUrl}/`);
        await page.getByLabel("Email").fill("admin@peakwatch.local");
        const from = up.output().length;
        await page.getByLabel("Email").press("Enter");
        const [, code] = await up.waitFor(/login code for admin@peakwatch\.local: (\d{6,10})/, 20_000, from);
        await page.getByLabel("Code").fill(code!);
        await page.getByLabel("Code").press("Enter");
        await page.getByTestId("whoami").waitFor();
        await page.getByRole("link", { name: "Control" }).click();
        const target = page.getByTestId("start-form").getByLabel("Target URL");
        await expect.poll(() => target.inputValue(), { timeout: 15_000 }).toBe(shopUrl);
        expect(await page.getByTestId("target-hint").textContent()).toContain(
          `127.0.0.1:${env.PEAKWATCH_SHOP_PORT}`,
        );
        await screenshot(page, "up-control-default-target");
      } finally {
        await browser.close();
      }
    },
    60_000,
  );
  if (!chromiumInstalled) console.log(skipReason);

  it("3. a run the hub starts shows no token in its ps-visible argv; the token is in its environment", async () => {
    const started = await fetch(`${hubUrl}/api/v1/runs`, {
      method: "POST",
      headers: { ...session.headers, "content-type": "application/json" },
      body: JSON.stringify({ profile: "smoke", target: shopUrl, durationScale: 0.5 }),
    });
    expect(started.status).toBe(201);
    const created = (await started.json()) as { run?: { runId: string }; runId?: string };
    const runId = created.run?.runId ?? created.runId!;
    let pid: number | undefined;
    const found = () => {
      pid = pidsWithArg(runId)[0];
      return pid !== undefined;
    };
    expect(await eventually(found, 20_000)).toBe(true);
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
    const { stdout: ps } = await exec("ps", ["-o", "args=", "-p", String(pid)]);
    const stack = JSON.parse(readFileSync(join(dataDir, "stack.json"), "utf8")) as StackFile;
    const environ = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
    const runToken = environ.find((v) => v.startsWith("PEAKWATCH_AGENT_TOKEN="))?.split("=")[1];
    expect(runToken, "the run's agent token travels in its environment").toBeTruthy();
    for (const shown of [argv, ps]) {
      expect(shown).toContain(runId);
      expect(shown).not.toMatch(/--token|--admin-token|--test-hooks-token/);
      for (const secret of [runToken!, ...Object.values(stack.tokens)]) expect(shown).not.toContain(secret);
    }
    // The environment is an allowlist: none of the hub's other secrets.
    expect(
      environ.some((v) => v.startsWith("PEAKWATCH_MASTER_KEY=") || v.startsWith("HUB_OTP_SECRET=")),
    ).toBe(false);
    const stop = await fetch(`${hubUrl}/api/v1/runs/${runId}/stop`, {
      method: "POST",
      headers: session.headers,
    });
    expect(stop.status).toBeLessThan(300);
    expect(await eventually(() => !alive(pid!), 20_000)).toBe(true);
  }, 90_000);

  it("restarts a child whose /healthz stops answering, and says so (issue 14 #6)", async () => {
    const probesPid = Number([...up.output().matchAll(/started probes \(pid (\d+)\)/g)].at(-1)![1]);
    const mark = up.output().length;
    // A stopped process keeps its port and its pid but answers nothing: a hung event loop.
    process.kill(probesPid, "SIGSTOP");
    await up.waitFor(/probes has not answered http:\/\/\S+\/healthz for \d+ s; restarting it/, 30_000, mark);
    await up.waitFor(/restarted probes/, 30_000, mark);
    expect(alive(probesPid)).toBe(false);
    const probesUrl = `http://127.0.0.1:${env.PEAKWATCH_PROBES_PORT}`;
    expect(await eventually(async () => (await status(`${probesUrl}/healthz`)) === 200, 30_000)).toBe(true);
  }, 90_000);

  it("restarts a child killed with -9, and says so", async () => {
    const shopPid = Number([...up.output().matchAll(/started shop \(pid (\d+)\)/g)].at(-1)![1]);
    const mark = up.output().length;
    process.kill(shopPid, "SIGKILL");
    await up.waitFor(/shop was killed by SIGKILL; restarting/, 10_000, mark);
    await up.waitFor(/restarted shop/, 10_000, mark);
    expect(await eventually(async () => (await status(`${shopUrl}/healthz`)) === 200, 60_000)).toBe(true);
  }, 90_000);

  it("4. Ctrl-C to the process group stops everything within 5 s, gracefully, exit 0, stack file gone", async () => {
    const pids = [...up.output().matchAll(/started \w+ \(pid (\d+)\)/g)].map((m) => Number(m[1]));
    const mark = up.output().length;
    const since = Date.now();
    process.kill(-up.proc.pid!, "SIGINT");
    const { code, ms } = await stoppedWithin(up, since);
    console.log(`up stopped ${ms} ms after SIGINT to its process group`);
    expect(code).toBe(0);
    // 5 s is the acceptance bound; nothing was SIGKILLed, each server said it stopped cleanly.
    expect(ms).toBeLessThan(5_000);
    const tail = up.output().slice(mark);
    expect(tail).not.toMatch(/killing/);
    expect(tail).toMatch(/hub: stopped cleanly/);
    expect(tail).toMatch(/shop: stopped cleanly/);
    expect(tail).toMatch(/all stopped/);
    expect(pids.every((pid) => !alive(pid))).toBe(true);
    expect(existsSync(join(dataDir, "stack.json"))).toBe(false);
  }, 30_000);

  it("4b. a second start finds the data intact; SIGTERM to `up` alone stops it the same way", async () => {
    expect(firstProductId).toBeTruthy();
    const again = startPeakwatch(["up"], await portsEnv());
    try {
      await again.waitFor(/Peakwatch is up/, 240_000);
      const stack = JSON.parse(readFileSync(join(dataDir, "stack.json"), "utf8")) as StackFile;
      // Seeding happens only on an empty database and gives fresh ids: the same id means the same data.
      expect(await firstProduct(stack.shop.url)).toBe(firstProductId);
      const relogged = await logInFromOutput(stack.hub.url, again);
      const run = await fetch(`${stack.hub.url}/api/v1/runs/${smokeRunId}`, { headers: relogged.headers });
      expect(run.status).toBe(200);

      const pids = [...again.output().matchAll(/started \w+ \(pid (\d+)\)/g)].map((m) => Number(m[1]));
      const mark = again.output().length;
      const since = Date.now();
      again.proc.kill("SIGTERM");
      const { code, ms } = await stoppedWithin(again, since);
      console.log(`up stopped ${ms} ms after SIGTERM`);
      expect(code).toBe(0);
      expect(ms).toBeLessThan(5_000);
      expect(again.output().slice(mark)).not.toMatch(/killing/);
      expect(pids.every((pid) => !alive(pid))).toBe(true);
    } finally {
      if (again.proc.exitCode === null) process.kill(-again.proc.pid!, "SIGKILL");
    }
  }, 300_000);
});

describe("peakwatch up: refusals", () => {
  it("stops at once naming a bad port variable", async () => {
    const up = startPeakwatch(["up"], { ...(await portsEnv()), PEAKWATCH_HUB_PORT: "abc" });
    expect(await up.exited).toBe(2);
    expect(up.output()).toMatch(/PEAKWATCH_HUB_PORT/);
    expect(up.output()).not.toMatch(/started hub/);
  });

  it("says which port is taken instead of starting, and suggests a free one that is none of the stack's", async () => {
    // The shop's port taken, the hub and the probes on the next two: the suggestion skips them.
    let base = await freePort();
    while (!(await Promise.all([1, 2, 3].map((d) => portIsFree("127.0.0.1", base + d)))).every(Boolean))
      base = await freePort();
    const env = {
      ...(await portsEnv()),
      PEAKWATCH_SHOP_PORT: String(base),
      PEAKWATCH_HUB_PORT: String(base + 1),
      PEAKWATCH_PROBES_PORT: String(base + 2),
    };
    const blocker = createServer().listen(Number(env.PEAKWATCH_SHOP_PORT), "127.0.0.1");
    await new Promise((r) => blocker.once("listening", r));
    try {
      const up = startPeakwatch(["up"], env);
      expect(await up.exited).toBe(2);
      expect(up.output()).toMatch(/PEAKWATCH_SHOP_PORT: port \d+ on 127\.0\.0\.1 is already in use/);
      // It once suggested the hub's port, one above the shop's.
      expect(up.output()).toMatch(new RegExp(`PEAKWATCH_SHOP_PORT=${base + 3} npm start`));
    } finally {
      blocker.close();
    }
  });

  it("refuses two components on one port, naming both variables", async () => {
    const env = await portsEnv();
    const up = startPeakwatch(["up"], { ...env, PEAKWATCH_PROBES_PORT: env.PEAKWATCH_HUB_PORT });
    expect(await up.exited).toBe(2);
    expect(up.output()).toMatch(/PEAKWATCH_HUB_PORT and PEAKWATCH_PROBES_PORT are both \d+/);
  });

  it("ignores a stack file whose `up` is gone, and says so", async () => {
    const dir = join(root, "stale");
    mkdirSync(join(dir, ".peakwatch"), { recursive: true });
    const stale: StackFile = {
      version: 1,
      pid: 2 ** 22 + 17,
      startedAt: new Date().toISOString(),
      hub: { url: "http://127.0.0.1:9" },
      shop: { url: "http://127.0.0.1:9" },
      probes: { url: "http://127.0.0.1:9" },
      tokens: { agent: "a", shopAdmin: "b", shopTestHooks: "c" },
    };
    writeFileSync(join(dir, ".peakwatch", "stack.json"), JSON.stringify(stale), { mode: 0o600 });
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [bin, "run", "smoke", "--quiet"], {
        cwd: dir,
        env: { ...process.env, ...withoutStackSettings },
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (d) => {
        stderr += d;
      });
      child.on("close", (code) => resolve({ code, stderr }));
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /ignoring .*stack\.json: the stack that wrote it \(pid \d+\) is no longer running/,
    );
    expect(r.stderr).toMatch(/--target is required: no stack is running/);
  }, 60_000);
});

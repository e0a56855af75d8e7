import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../bin/up/ports.ts";
import { alive, eventually, startPeakwatch } from "./helpers/up.ts";

const dataDir = mkdtempSync(join(tmpdir(), "peakwatch-up-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function portsEnv() {
  return {
    PEAKWATCH_DATA_DIR: dataDir,
    PEAKWATCH_HUB_PORT: String(await freePort()),
    PEAKWATCH_SHOP_PORT: String(await freePort()),
    PEAKWATCH_PROBES_PORT: String(await freePort()),
  };
}

let firstProductId: string | undefined;
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

describe("peakwatch up", () => {
  it("starts hub, shop and probes, restarts a killed child, and leaves nothing behind on Ctrl-C", async () => {
    const env = await portsEnv();
    const up = startPeakwatch(["up"], env);
    try {
      const started = Date.now();
      await up.waitFor(/Dashboard: +http:\/\/127\.0\.0\.1:\d+\//, 60_000);
      console.log(`platform healthy after ${((Date.now() - started) / 1000).toFixed(1)} s`);
      const hub = `http://127.0.0.1:${env.PEAKWATCH_HUB_PORT}`;
      const shop = `http://127.0.0.1:${env.PEAKWATCH_SHOP_PORT}`;
      expect(await status(`${hub}/healthz`)).toBe(200);
      expect(await status(`${shop}/healthz`)).toBe(200);
      expect(await status(`http://127.0.0.1:${env.PEAKWATCH_PROBES_PORT}/healthz`)).toBe(200);
      firstProductId = await firstProduct(shop);
      expect(firstProductId).toBeTruthy();

      const pids = [...up.output().matchAll(/started (\w+) \(pid (\d+)\)/g)].map((m) => Number(m[2]));
      expect(pids).toHaveLength(3);
      const shopPid = Number(up.output().match(/started shop \(pid (\d+)\)/)![1]);

      // kill -9 the shop: the supervisor says so and it answers again.
      const mark = up.output().length;
      const killedAt = Date.now();
      process.kill(shopPid, "SIGKILL");
      await up.waitFor(/shop was killed by SIGKILL; restarting/, 5_000, mark);
      await up.waitFor(/restarted shop/, 5_000, mark);
      // 5 s is the target; the assertion allows for a loaded 2-core CI machine.
      expect(await eventually(async () => (await status(`${shop}/healthz`)) === 200, 20_000)).toBe(true);
      console.log(`shop back after kill -9 in ${((Date.now() - killedAt) / 1000).toFixed(1)} s`);
      const newShopPid = Number(
        up
          .output()
          .slice(mark)
          .match(/started shop \(pid (\d+)\)/)![1],
      );
      pids.push(newShopPid);

      // Ctrl-C reaches the whole foreground process group, as in a terminal.
      process.kill(-up.proc.pid!, "SIGINT");
      expect(await up.exited).toBe(0);
      expect(await eventually(() => pids.every((pid) => !alive(pid)), 10_000)).toBe(true);
      expect(up.output()).toMatch(/all stopped/);
    } finally {
      if (up.proc.exitCode === null) process.kill(-up.proc.pid!, "SIGKILL");
    }
  }, 120_000);

  it("resumes on the same embedded data when started again", async () => {
    expect(firstProductId).toBeTruthy();
    const env = await portsEnv();
    const up = startPeakwatch(["up"], env);
    try {
      await up.waitFor(/Peakwatch is up/, 60_000);
      // Seeding happens only on an empty database and gives fresh ids, so the same id means the same data.
      expect(await firstProduct(`http://127.0.0.1:${env.PEAKWATCH_SHOP_PORT}`)).toBe(firstProductId);
      process.kill(-up.proc.pid!, "SIGINT");
      expect(await up.exited).toBe(0);
    } finally {
      if (up.proc.exitCode === null) process.kill(-up.proc.pid!, "SIGKILL");
    }
  }, 90_000);

  it("stops at once naming a bad port variable", async () => {
    const up = startPeakwatch(["up"], { ...(await portsEnv()), PEAKWATCH_HUB_PORT: "abc" });
    expect(await up.exited).toBe(2);
    expect(up.output()).toMatch(/PEAKWATCH_HUB_PORT/);
    expect(up.output()).not.toMatch(/started hub/);
  });

  it("says which port is taken instead of starting", async () => {
    const env = await portsEnv();
    const blocker = createServer().listen(Number(env.PEAKWATCH_SHOP_PORT), "127.0.0.1");
    await new Promise((r) => blocker.once("listening", r));
    try {
      const up = startPeakwatch(["up"], env);
      expect(await up.exited).toBe(2);
      expect(up.output()).toMatch(/PEAKWATCH_SHOP_PORT: port \d+ on 127\.0\.0\.1 is already in use/);
    } finally {
      blocker.close();
    }
  });
});

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestHub, type TestHub } from "./helpers/hub.ts";
import { startTestShop, type TestShop } from "./helpers/shop.ts";

const PROMTOOL = "/usr/bin/promtool";
const bin = fileURLToPath(new URL("../bin/peakwatch.js", import.meta.url));

/** promtool's verdict on an exposition: its complaints, one per line ("" when clean). */
function promtoolComplaints(exposition: string): { status: number | null; output: string } {
  const run = spawnSync(PROMTOOL, ["check", "metrics"], {
    input: exposition,
    encoding: "utf8",
    timeout: 20_000,
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}`.trim() };
}

async function waitFor<T>(get: () => Promise<T | undefined> | T | undefined, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await get();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`nothing after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// Debian's `prometheus` package ships promtool; .ci/run installs it.
describe.skipIf(!existsSync(PROMTOOL))(
  `/metrics of hub, shop and probes pass promtool check metrics${existsSync(PROMTOOL) ? "" : ` (skipped: ${PROMTOOL} not installed; apt-get install prometheus)`}`,
  () => {
    let hub: TestHub;
    let shop: TestShop;
    let probes: ChildProcess | undefined;
    let probesOutput = "";
    const dir = mkdtempSync(join(tmpdir(), "pw-promtool-"));
    beforeAll(async () => {
      hub = await startTestHub();
      shop = await startTestShop("pglite", { env: { SHOP_SEED_PRODUCTS: "20", SHOP_SEED_CUSTOMERS: "2" } });
    });
    afterAll(async () => {
      probes?.kill("SIGTERM");
      await hub?.close();
      await shop?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("the hub's, after some requests", async () => {
      await fetch(`${hub.url}/api/v1/runs`);
      await fetch(`${hub.url}/healthz`);
      const text = await (await fetch(`${hub.url}/metrics`)).text();
      expect(text).toContain("peakwatch_hub_");
      expect(promtoolComplaints(text)).toEqual({ status: 0, output: "" });
    });

    it("the shop's, after some requests", async () => {
      await fetch(`${shop.url}/api/products`);
      await fetch(`${shop.url}/api/nothing-here`);
      const text = await (await fetch(`${shop.url}/metrics`)).text();
      expect(text).toContain("http_request_duration_seconds_bucket");
      expect(promtoolComplaints(text)).toEqual({ status: 0, output: "" });
    });

    it("the probes process's, once a probe has checked the shop", async () => {
      const file = join(dir, "probes.yaml");
      writeFileSync(
        file,
        `probes:\n  - { kind: http, name: shop-home, url: "${shop.url}/api/products", interval: 500ms }\n`,
      );
      probes = spawn(process.execPath, [bin, "probes"], {
        env: {
          PATH: process.env.PATH ?? "",
          PEAKWATCH_PROBES_PORT: "0",
          PEAKWATCH_HOST: "127.0.0.1",
          PEAKWATCH_PROBES_FILE: file,
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      probes.stdout!.on("data", (c) => (probesOutput += c));
      probes.stderr!.on("data", (c) => (probesOutput += c));
      const url = await waitFor(() => /metrics on (http:\S+)\/metrics/.exec(probesOutput)?.[1], 20_000);
      const text = await waitFor(async () => {
        const body = await (await fetch(`${url}/metrics`)).text();
        return body.includes('probe_success{probe="shop-home"') ? body : undefined;
      }, 15_000);
      expect(promtoolComplaints(text)).toEqual({ status: 0, output: "" });
    });
  },
);

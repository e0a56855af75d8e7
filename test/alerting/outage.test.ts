import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net, { type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../bin/up/ports.ts";
import { hubApi, tuneShippedRule, withEnv } from "../helpers/alerting.ts";
import { startTestHub } from "../helpers/hub.ts";
import { startTestShop } from "../helpers/shop.ts";
import { startPeakwatch } from "../helpers/up.ts";

const ALERTMANAGER = process.env.PEAKWATCH_ALERTMANAGER_BIN ?? "/usr/bin/prometheus-alertmanager";
const why = `outage test skipped: no Alertmanager at ${ALERTMANAGER} (apt-get install -y prometheus-alertmanager)`;
const present = existsSync(ALERTMANAGER);
if (!present) console.warn(why);

// The newcomer's outage as the issue describes it: the shop freezes for 30 s, then thaws.
const FREEZE_S = 30;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A TCP proxy in front of the shop that can freeze: connections hang (accepted, never answered). */
async function startFreezer(targetPort: number) {
  let frozen = false;
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    open.add(client);
    client.once("close", () => open.delete(client));
    client.on("error", () => client.destroy());
    if (frozen) return; // hangs: what a stopped process looks like from outside
    const upstream = net.connect(targetPort, "127.0.0.1");
    open.add(upstream);
    upstream.once("close", () => open.delete(upstream));
    upstream.on("error", () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    freeze() {
      frozen = true;
      for (const s of open) s.destroy();
    },
    thaw() {
      frozen = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The real Alertmanager from Debian on a free loopback port, gossip off, a receiver that drops everything. */
async function startAlertmanager() {
  const dir = mkdtempSync(join(tmpdir(), "pw-am-"));
  writeFileSync(join(dir, "am.yml"), "route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n");
  const port = await freePort();
  const proc: ChildProcess = spawn(
    ALERTMANAGER,
    [
      `--config.file=${join(dir, "am.yml")}`,
      `--storage.path=${dir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--cluster.listen-address=",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  proc.stdout?.on("data", (d) => (output += d));
  proc.stderr?.on("data", (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline || proc.exitCode !== null)
      throw new Error(`Alertmanager did not start:\n${output}`);
    await sleep(200);
  }
  return {
    url,
    /** Alerts Alertmanager holds as active (not resolved), by name. */
    async active(): Promise<string[]> {
      const alerts = (await (await fetch(`${url}/api/v2/alerts`)).json()) as Array<{
        labels: Record<string, string>;
        status: { state: string };
        endsAt: string;
      }>;
      return alerts.filter((a) => Date.parse(a.endsAt) > Date.now()).map((a) => a.labels.alertname ?? "?");
    },
    close: async () => {
      proc.kill("SIGTERM");
      await new Promise((r) => (proc.exitCode !== null ? r(null) : proc.once("exit", r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe.skipIf(!present)("the newcomer's outage with a real Alertmanager", () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => {});
  });

  it("ShopDown fires, the Summary names it, and every alert resolves in Alertmanager within 120 s of the thaw", async () => {
    const am = await startAlertmanager();
    cleanup.push(() => am.close());
    const shop = await startTestShop("pglite");
    cleanup.push(() => shop.close());
    const freezer = await startFreezer(Number(new URL(shop.url).port));
    cleanup.push(() => freezer.close());
    const env = {
      PEAKWATCH_ALERTMANAGER_URL: am.url,
      PEAKWATCH_ALERTMANAGER_RESEND_MS: "1000",
      PEAKWATCH_ALERT_EVAL_INTERVAL_MS: "250",
      PEAKWATCH_MASTER_KEY: randomBytes(32).toString("base64"),
    };
    const hub = await withEnv(env, () => startTestHub({ env: { PEAKWATCH_SHOP_URL: freezer.url } }));
    cleanup.push(() => hub.close());
    const api = hubApi(hub.url, await hub.loginAs("admin"));
    // The shipped ShopDown on a test's time scale.
    await tuneShippedRule(api, "ShopDown", (spec) => ({
      ...spec,
      // Ten seconds hold several checks even while each one waits out its 2 s timeout.
      query: { ...spec.query, windowSeconds: 10, minCount: 2 },
      forSeconds: 2,
      keepFiringForSeconds: 3,
    }));

    // The real probes process checks the shop through the freezer every second and reports to the hub.
    const probeDir = mkdtempSync(join(tmpdir(), "pw-outage-probes-"));
    cleanup.push(async () => rmSync(probeDir, { recursive: true, force: true }));
    const probeFile = join(probeDir, "probes.yaml");
    writeFileSync(
      probeFile,
      [
        "probes:",
        `  - { kind: http, name: shop-health, url: "${freezer.url}/healthz", interval: 1s, timeout: 2s, jitter: 0, failureThreshold: 1, successThreshold: 1 }`,
      ].join("\n"),
    );
    const probes = startPeakwatch(["probes"], {
      PEAKWATCH_PROBES_FILE: probeFile,
      PEAKWATCH_PROBES_PORT: "0",
      PEAKWATCH_HOST: "127.0.0.1",
      PEAKWATCH_HUB_URL: hub.url,
      PEAKWATCH_AGENT_TOKEN: hub.agentToken,
      PEAKWATCH_SHOP_URL: freezer.url,
      PEAKWATCH_PROBES_HUB_CONFIG_SECONDS: "0",
    });
    cleanup.push(async () => {
      probes.proc.kill("SIGTERM");
      await probes.exited;
    });
    await probes.waitFor(/metrics on http/, 60_000);
    // The shop is up in the hub's eyes before it freezes.
    await waitFor(
      async () => {
        const { probes: states } = await api<{ probes: Array<{ name: string; state: string }> }>(
          "GET",
          "/probes",
        );
        return states.some((p) => p.name === "shop-health" && p.state === "up");
      },
      60_000,
      "the first probe results from the probes process",
    );
    expect(await am.active()).toEqual([]);
    freezer.freeze();
    const frozenAt = Date.now();
    // It fires while the shop is still frozen (on a loaded machine checks and evaluations run late).
    const firedAt = await waitFor(
      async () => (await am.active()).includes("ShopDown"),
      FREEZE_S * 1000 - 2000,
      "ShopDown in Alertmanager",
    ).catch(async (error: Error) => {
      const { alerts } = await api<{ alerts: unknown[] }>("GET", "/alerts");
      throw new Error(`${error.message}; the hub's alerts: ${JSON.stringify(alerts).slice(0, 2000)}`);
    });
    const summary = await api<{
      firingAlerts: Array<{ rule: string; severity: string; ageSeconds: number }>;
    }>("GET", "/summary");
    expect(summary.firingAlerts.map((a) => a.rule)).toContain("ShopDown");
    expect(summary.firingAlerts.find((a) => a.rule === "ShopDown")).toMatchObject({ severity: "critical" });
    await sleep(Math.max(0, FREEZE_S * 1000 - (Date.now() - frozenAt)));
    freezer.thaw();
    const thawedAt = Date.now();
    await waitFor(
      async () => (await am.active()).length === 0,
      120_000,
      "every alert resolved in Alertmanager",
    );
    const resolvedIn = Date.now() - thawedAt;
    console.log(
      `outage: frozen ${thawedAt - frozenAt} ms; ShopDown in Alertmanager ${firedAt - frozenAt} ms after the freeze; ` +
        `every alert resolved in Alertmanager ${resolvedIn} ms after the thaw`,
    );
    expect(resolvedIn).toBeLessThanOrEqual(120_000);
    const { alerts } = await api<{ alerts: Array<{ state: string }> }>("GET", "/alerts");
    expect(alerts.filter((a) => a.state === "firing")).toEqual([]);
  }, 240_000);
});

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return Date.now();
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(250);
  }
}

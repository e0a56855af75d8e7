import { afterAll, beforeAll, expect, it } from "vitest";
import { ProbeSchema } from "../../core/probe.ts";
import type { ProbeResult } from "../../core/probe-result.ts";
import { probeResults } from "../../db/schema/hub.ts";
import { startProbes } from "../../probes/runtime.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { startTestHub, type TestHub } from "../helpers/hub.ts";
import {
  type SwitchableProxy,
  startServer,
  startSwitchableProxy,
  type TestServer,
} from "../helpers/probes.ts";

/**
 * The hub goes away for a while and comes back: every result made meanwhile reaches it, none twice.
 * The scenario is a 30 s outage; the suite uses 6 s to stay quick. Run the full one with
 * PEAKWATCH_TEST_HUB_GAP_SECONDS=30 npx vitest run test/probes/hub-outage.test.ts
 */
const gapMs = Number(process.env.PEAKWATCH_TEST_HUB_GAP_SECONDS ?? 6) * 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeEachDatabase("probe results across a hub outage", ["hub", "alerting"], (_get, kind) => {
  let hub: TestHub;
  let proxy: SwitchableProxy;
  let target: TestServer;
  beforeAll(async () => {
    hub = await startTestHub({ kind });
    proxy = await startSwitchableProxy(hub.hub.port);
    target = await startServer((_req, res) => res.writeHead(200).end("ok"));
  });
  afterAll(async () => {
    await proxy?.close();
    await target?.close();
    await hub?.close();
  });

  it(`delivers every result from a ${gapMs / 1000} s outage exactly once`, {
    timeout: gapMs + 60_000,
  }, async () => {
    const made: ProbeResult[] = [];
    const probes = await startProbes({
      probes: [
        { kind: "http", name: "outage-http", url: `${target.url}/`, interval: 400, jitter: 100 },
        { kind: "tcp", name: "outage-tcp", host: "127.0.0.1", port: target.port, interval: 700 },
      ].map((p) => ProbeSchema.parse(p)),
      region: "test",
      concurrency: 4,
      port: 0,
      hostname: "127.0.0.1",
      hub: {
        hubUrl: proxy.url,
        token: hub.agentToken,
        flushIntervalMs: 250,
        initialBackoffMs: 250,
        maxBackoffMs: 2000,
        requestTimeoutMs: 3000,
        log: () => {},
      },
      onResult: (r) => made.push(r),
    });
    try {
      await sleep(1500);
      proxy.down();
      const downAt = Date.now();
      await sleep(gapMs);
      const upAt = Date.now();
      const failuresDuringGap = probes.reporter!.stats.failures;
      proxy.up();
      await sleep(1000);
      await probes.scheduler.stop();
      // Backoff is capped at 2 s: everything buffered drains within a few seconds of the hub's return.
      const drainBy = Date.now() + 15_000;
      while (probes.reporter!.stats.sent < made.length && Date.now() < drainBy) await sleep(100);

      expect(failuresDuringGap).toBeGreaterThan(0);
      const duringGap = made.filter((r) => r.startedAt >= downAt && r.startedAt < upAt);
      expect(duringGap.length).toBeGreaterThanOrEqual(Math.floor(gapMs / 700));
      expect(probes.reporter!.stats).toMatchObject({ buffered: 0, dropped: 0, rejected: 0 });

      const rows = await hub.database.db.select({ id: probeResults.id }).from(probeResults);
      const stored = rows.map((r) => r.id).sort();
      expect(stored).toEqual(made.map((r) => r.id).sort());
    } finally {
      await probes.close();
    }
  });
});

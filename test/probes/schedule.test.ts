import { monitorEventLoopDelay } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProbeSchema } from "../../core/probe.ts";
import type { ProbeResult } from "../../core/probe-result.ts";
import { Scheduler } from "../../probes/scheduler.ts";
import { startServer, type TestServer, testContext } from "../helpers/probes.ts";

describe("a hanging server does not disturb the other probes", () => {
  let healthy: TestServer;
  let hanging: TestServer;
  beforeAll(async () => {
    healthy = await startServer((_req, res) => res.writeHead(200).end("ok"));
    hanging = await startServer(() => {
      // Accepts and never answers.
    });
  });
  afterAll(async () => {
    await healthy.close();
    await hanging.close();
  });

  it("times the hanging probe out at its timeout while the others keep their intervals within 10 %", async () => {
    const probes = [
      { kind: "http", name: "fast-a", url: `${healthy.url}/a`, interval: 1000, jitter: 0 },
      { kind: "http", name: "fast-b", url: `${healthy.url}/b`, interval: 1200, jitter: 0 },
      { kind: "tcp", name: "port", host: "127.0.0.1", port: healthy.port, interval: 1100, jitter: 0 },
      // Hangs longer than its own interval: its next slot is skipped, nobody else's is.
      { kind: "http", name: "hung", url: `${hanging.url}/`, interval: 1000, timeout: 1500, jitter: 0 },
      { kind: "http", name: "hung-2", url: `${hanging.url}/2`, interval: 1000, timeout: 800, jitter: 0 },
    ].map((p) => ProbeSchema.parse(p));
    const results: ProbeResult[] = [];
    const scheduler = new Scheduler({
      probes,
      region: "test",
      concurrency: 4,
      context: testContext(),
      onResult: (r) => results.push(r),
    });
    // What the machine itself does to every timer in this process (CPU starvation on a busy
    // runner) is measured beside the probes and allowed on top of the 10 %; a hanging probe that
    // held the others up would add its whole timeout (800-1500 ms), far beyond either.
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    scheduler.start();
    const runFor = 5600;
    await new Promise((resolve) => setTimeout(resolve, runFor));
    await scheduler.stop();
    loopDelay.disable();
    const machineLagMs = loopDelay.max / 1e6;

    const of = (name: string) => results.filter((r) => r.probe === name);
    // Intervals of a second or more: 10 % is then wider than the timer lateness of a busy 2-core machine.
    for (const [name, interval] of [
      ["fast-a", 1000],
      ["fast-b", 1200],
      ["port", 1100],
    ] as const) {
      const starts = of(name).map((r) => r.startedAt);
      expect(starts.length, name).toBeGreaterThanOrEqual(Math.floor(runFor / interval) - 1);
      expect(of(name).every((r) => r.ok)).toBe(true);
      const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
      for (const gap of gaps) {
        const context = `${name} gap ${gap} ms, machine lag ${machineLagMs.toFixed(0)} ms`;
        expect(gap, context).toBeGreaterThanOrEqual(interval * 0.9 - machineLagMs);
        expect(gap, context).toBeLessThanOrEqual(interval * 1.1 + machineLagMs);
      }
    }
    for (const [name, timeout] of [
      ["hung", 1500],
      ["hung-2", 800],
    ] as const) {
      const hung = of(name);
      expect(hung.length).toBeGreaterThanOrEqual(2);
      for (const r of hung) {
        expect(r.ok).toBe(false);
        expect(r.message).toMatch(/^timed out after \d+ ms waiting for the first byte$/);
        expect(r.phases.total).toBeGreaterThanOrEqual(timeout - 5);
        expect(r.phases.total).toBeLessThan(timeout + 300 + machineLagMs);
      }
    }
    // Two timeouts in a row: the default failure threshold (2) turns it DOWN.
    expect(
      of("hung-2")
        .map((r) => r.state)
        .slice(0, 2),
    ).toEqual(["unknown", "down"]);
  });
});

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
      { kind: "http", name: "fast-a", url: `${healthy.url}/a`, interval: 500, jitter: 0 },
      { kind: "http", name: "fast-b", url: `${healthy.url}/b`, interval: 700, jitter: 0 },
      { kind: "tcp", name: "port", host: "127.0.0.1", port: healthy.port, interval: 600, jitter: 0 },
      // Hangs longer than its own interval: its next slot is skipped, nobody else's is.
      { kind: "http", name: "hung", url: `${hanging.url}/`, interval: 1000, timeout: 1200, jitter: 0 },
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
    scheduler.start();
    await new Promise((resolve) => setTimeout(resolve, 4300));
    await scheduler.stop();

    const of = (name: string) => results.filter((r) => r.probe === name);
    for (const [name, interval] of [
      ["fast-a", 500],
      ["fast-b", 700],
      ["port", 600],
    ] as const) {
      const starts = of(name).map((r) => r.startedAt);
      expect(starts.length, name).toBeGreaterThanOrEqual(Math.floor(4300 / interval) - 1);
      expect(of(name).every((r) => r.ok)).toBe(true);
      const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
      for (const gap of gaps) {
        expect(gap, `${name} gap`).toBeGreaterThanOrEqual(interval * 0.9);
        expect(gap, `${name} gap`).toBeLessThanOrEqual(interval * 1.1);
      }
    }
    for (const [name, timeout] of [
      ["hung", 1200],
      ["hung-2", 800],
    ] as const) {
      const hung = of(name);
      expect(hung.length).toBeGreaterThanOrEqual(2);
      for (const r of hung) {
        expect(r.ok).toBe(false);
        expect(r.message).toMatch(/^timed out after \d+ ms waiting for the first byte$/);
        expect(r.phases.total).toBeGreaterThanOrEqual(timeout - 5);
        expect(r.phases.total).toBeLessThan(timeout + 300);
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

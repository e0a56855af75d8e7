import { beforeAll, describe, expect, it } from "vitest";
import type { ProbeResult } from "../../core/probe-result.ts";
import type { TestHub, TestSession } from "../helpers/hub.ts";
import { makeProbeResult } from "./fixtures.ts";

/** Probe states, results and history, run on a hub another suite started. */
export function probeApiTests(getHub: () => TestHub): void {
  describe("probes API", () => {
    let t: TestHub;
    let viewer: TestSession;
    const base = 1_700_000_000_000;
    beforeAll(async () => {
      t = getHub();
      viewer = await t.loginAs("viewer");
      const results: ProbeResult[] = [];
      for (let i = 0; i < 120; i++) {
        const ok = i % 10 !== 9;
        results.push(
          makeProbeResult({
            probe: "checkout-flow",
            region: i % 2 === 0 ? "eu" : "us",
            startedAt: base + i * 1000,
            ok,
            state: i === 119 ? "down" : "up",
            phases: { dns: 0, connect: 1, tls: 0, firstByte: 10 + i, transfer: 1, total: 12 + i },
          }),
        );
      }
      const res = await fetch(`${t.url}/api/v1/ingest/probe-results`, {
        method: "POST",
        headers: { ...t.agentHeaders, "content-type": "application/json" },
        body: JSON.stringify({ results }),
      });
      expect(res.status).toBe(200);
    });
    const get = async (path: string) => {
      const res = await fetch(`${t.url}/api/v1${path}`, { headers: viewer.headers });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };

    it("lists each probe per region with its current state and last result", async () => {
      const { body } = await get("/probes");
      const probes = body.probes as Array<{
        name: string;
        region: string;
        state: string;
        lastResult: ProbeResult;
      }>;
      expect(probes.map((p) => `${p.name}/${p.region}/${p.state}`)).toEqual([
        "checkout-flow/eu/up",
        "checkout-flow/us/down",
      ]);
      expect(probes[1]!.lastResult.startedAt).toBe(base + 119_000);
    });

    it("returns a probe's results newest first within a time range", async () => {
      const { body } = await get(
        `/probes/checkout-flow/results?region=eu&from=${base}&to=${base + 9_999}&limit=3`,
      );
      const results = body.results as ProbeResult[];
      expect(results.map((r) => r.startedAt)).toEqual([base + 8000, base + 6000, base + 4000]);
    });

    it("lists only a region's failures with ok=false, however far back, for the Probes page", async () => {
      const { body } = await get("/probes/checkout-flow/results?region=us&ok=false&limit=5");
      const results = body.results as ProbeResult[];
      // Checks i = 9, 19, …, 119 fail; odd i ran in region us, so all of them are there.
      expect(results.map((r) => r.startedAt)).toEqual([119, 109, 99, 89, 79].map((i) => base + i * 1000));
      expect(results.every((r) => !r.ok)).toBe(true);
      expect((await get("/probes/checkout-flow/results?ok=maybe")).status).toBe(400);
    });

    it("downsamples history into buckets with success ratio and latency percentiles", async () => {
      const { body } = await get(`/probes/checkout-flow/series?resolution=60&from=${base}`);
      const points = body.points as Array<{ t: number; checks: number; success: number; p95: number }>;
      expect(points.map((p) => p.checks).reduce((a, b) => a + b)).toBe(120);
      const all = points.reduce((acc, p) => acc + p.success * p.checks, 0);
      expect(all).toBeCloseTo(108, 6);
      expect((await get("/probes/unknown/series")).status).toBe(404);
    });
  });
}

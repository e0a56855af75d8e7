import parsePrometheusTextFormat, { type ParsedFamily } from "parse-prometheus-text-format";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newHistogram, recordMicros } from "../../core/histogram.ts";
import { databaseKinds } from "../helpers/db.ts";
import { startTestHub, type TestHub } from "../helpers/hub.ts";
import { makeProbeResult, makeWindow } from "./fixtures.ts";

for (const kind of databaseKinds) {
  describe(`[${kind}] /metrics`, () => {
    let t: TestHub;
    beforeAll(async () => {
      t = await startTestHub({ kind });
    });
    afterAll(async () => {
      await t?.close();
    });

    const post = (path: string, body: unknown) =>
      fetch(`${t.url}/api/v1${path}`, {
        method: "POST",
        headers: { ...t.agentHeaders, "content-type": "application/json" },
        body: JSON.stringify(body),
      });

    it("parses as Prometheus text and carries hub, run and probe figures", async () => {
      const second = Math.floor(Date.now() / 1000);
      const samples = Array.from({ length: 200 }, (_, i) => 1_000 + i * 100);
      const windows = [
        makeWindow({ runId: "m-run", step: "checkout", worker: "w1", second }, samples.slice(0, 100)),
        makeWindow({ runId: "m-run", step: "checkout", worker: "w2", second }, samples.slice(100), {
          errors: { connect: 0, timeout: 2, http4xx: 0, http5xx: 3, assertion: 0 },
        }),
      ];
      expect((await post("/ingest/windows", { windows })).status).toBe(200);
      const run = {
        runId: "m-run",
        profile: "smoke",
        target: "http://127.0.0.1:4100",
        status: "running",
        startedAt: Date.now(),
      };
      expect((await post("/ingest/runs", run)).status).toBe(200);
      expect(
        (
          await post("/ingest/probe-results", {
            results: [makeProbeResult({ probe: "home", state: "down", ok: false })],
          })
        ).status,
      ).toBe(200);

      const res = await fetch(`${t.url}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
      const families = parsePrometheusTextFormat(await res.text());
      const family = (name: string): ParsedFamily => {
        const found = families.find((f) => f.name === name);
        if (!found) throw new Error(`no ${name} in /metrics`);
        return found;
      };
      const value = (name: string, labels: Record<string, string>) =>
        Number(
          family(name).metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
            ?.value,
        );

      expect(value("peakwatch_hub_ingested_items_total", { kind: "windows" })).toBe(2);
      expect(family("peakwatch_hub_ingest_batch_seconds").type).toBe("HISTOGRAM");
      expect(family("peakwatch_hub_live_clients").type).toBe("GAUGE");
      expect(value("peakwatch_run_requests", { run: "m-run", step: "checkout" })).toBe(200);
      expect(value("peakwatch_run_errors", { run: "m-run", step: "checkout", class: "http5xx" })).toBe(3);
      const union = newHistogram();
      for (const s of samples) recordMicros(union, s);
      expect(
        value("peakwatch_run_latency_seconds", { run: "m-run", step: "checkout", quantile: "0.95" }),
      ).toBeCloseTo(union.getValueAtPercentile(95) / 1e6, 9);
      expect(value("peakwatch_probe_up", { probe: "home", region: "local" })).toBe(0);
      expect(
        value("peakwatch_probe_duration_seconds", { probe: "home", region: "local", phase: "total" }),
      ).toBeCloseTo(0.007, 9);
      expect(family("peakwatch_hub_process_resident_memory_bytes").type).toBe("GAUGE");
      expect(family("peakwatch_hub_rule_evaluation_seconds").type).toBe("GAUGE");
      expect(family("peakwatch_hub_queue_depth").type).toBe("GAUGE");
    });

    it("serves an OpenAPI document with the shared wire schemas", async () => {
      const res = await fetch(`${t.url}/api/v1/openapi.json`);
      expect(res.status).toBe(200);
      const doc = (await res.json()) as {
        openapi: string;
        paths: Record<
          string,
          Record<string, { requestBody?: { content: Record<string, { schema: { properties: object } }> } }>
        >;
      };
      expect(doc.openapi).toBe("3.1.0");
      const ingest = doc.paths["/ingest/windows"]!.post!.requestBody!.content["application/json"]!.schema;
      expect(Object.keys(ingest.properties)).toEqual(["windows"]);
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining(["/runs/{id}/series", "/users/{id}", "/live"]),
      );
    });
  });
}

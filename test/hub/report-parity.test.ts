import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds } from "../helpers/db.ts";
import { startTestHub, type TestHub } from "../helpers/hub.ts";
import { getProfile, runInProcess, startTestTarget, type TestTarget } from "../helpers/loadgen.ts";

/** The parts of a report a reader compares: charts (lines and their drawn paths), and every table row. */
function structure(html: string) {
  const all = (re: RegExp) => [...html.matchAll(re)].map((m) => m[0]);
  return {
    charts: all(/<figure data-chart="[^"]*" data-unit="[^"]*" data-lines="[^"]*" data-points="\d+">/g),
    paths: all(/<path data-line="[^"]*" d="[^"]*"/g),
    markers: all(/<text data-marker[^>]*>[^<]*<\/text>/g),
    thresholds: all(/<tr class="(ok|bad)" data-threshold=.*?<\/tr>/g),
    causes: all(/<tr data-cause=.*?<\/tr>/g),
    steps: all(/<tr data-step=.*?<\/tr>/g),
    verdict: all(/<p class="verdict combined" data-verdict=.*?<\/p>/g),
    alerts: all(/<table data-table="alerts">.*?<\/table>/g),
  };
}

for (const kind of databaseKinds) {
  describe(`[${kind}] the hub's report.html of a run`, () => {
    let hub: TestHub;
    let target: TestTarget;
    let dir: string;
    beforeAll(async () => {
      hub = await startTestHub({ kind });
      target = await startTestTarget({ delayMs: 5 });
      dir = mkdtempSync(join(tmpdir(), "pw-parity-"));
    });
    afterAll(async () => {
      await hub?.close();
      await target?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("has the same charts, error-cause rows and threshold rows as the report.html the generator wrote", async () => {
      // "bad" expects 201 from a target answering 200: every one fails the expect_status assertion.
      const profile = getProfile({
        journeys: [
          {
            name: "hit",
            steps: [
              { name: "get", path: "/" },
              { name: "bad", path: "/", expectStatus: [201] },
            ],
          },
        ],
        stages: [{ duration: 3, rate: 8 }],
        thresholds: [
          { expression: "p95(get) < 800ms" },
          { expression: "error_rate < 1%", abortOnFail: true, delayAbortEval: 60 },
        ],
      });
      const outDir = join(dir, "out");
      const outcome = await runInProcess(profile, target.url, {
        hub: { url: hub.url, token: hub.agentToken },
        outDir,
      });
      const cli = readFileSync(outcome.files.html, "utf8");
      const viewer = await hub.loginAs("viewer");
      const response = await fetch(`${hub.url}/api/v1/runs/${outcome.summary.runId}/report.html`, {
        headers: viewer.headers,
      });
      expect(response.status).toBe(200);
      const served = await response.text();

      const a = structure(cli);
      const b = structure(served);
      expect(a.charts).toHaveLength(3);
      expect(a.paths.length).toBeGreaterThanOrEqual(7);
      expect(a.thresholds).toHaveLength(2);
      expect(a.causes).toHaveLength(1);
      expect(a.causes[0]).toContain("assertion failed: expect_status");
      expect(a.steps).toHaveLength(2);
      // The generator fetched the hub's verdict: both reports combine thresholds with the alerts.
      expect(outcome.summary.combinedVerdict?.state).toBe("failed");
      expect(a.verdict).toHaveLength(1);
      expect(a.verdict[0]).toContain('data-verdict="failed"');
      expect(a.alerts).toHaveLength(1);
      expect(b).toEqual(a);
      // Same renderer, same model: the whole page is the same.
      expect(served).toBe(cli);
    });
  });
}

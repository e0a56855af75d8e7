import { availableParallelism } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newHistogram, recordMicros } from "../../core/histogram.ts";
import { autoWorkers } from "../../core/run.ts";
import type { WindowSummary } from "../../core/window.ts";
import { databaseKinds } from "../helpers/db.ts";
import { startTestHub, type TestHub, type TestSession } from "../helpers/hub.ts";
import { lehmer, makeWindow } from "./fixtures.ts";
import { probeApiTests } from "./probe-api.ts";

const fakeLoadgen = ["node", "test/hub/fake-loadgen.mjs"].join(",");

for (const kind of databaseKinds) {
  describe(`[${kind}] runs`, () => {
    let t: TestHub;
    let viewer: TestSession;
    let ops: TestSession;
    beforeAll(async () => {
      // The hub's clock runs at 2023-11-14, so the fixed window seconds below are recent to it.
      const shift = Date.now() - 1_700_003_600_000;
      t = await startTestHub({ kind, env: { HUB_RUN_COMMAND: fakeLoadgen }, now: () => Date.now() - shift });
      viewer = await t.loginAs("viewer");
      ops = await t.loginAs("ops");
    });
    afterAll(async () => {
      await t?.close();
    });

    const call = async (method: string, path: string, headers: Record<string, string>, body?: unknown) => {
      const res = await fetch(`${t.url}/api/v1${path}`, {
        method,
        headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const ingest = (windows: unknown[]) => call("POST", "/ingest/windows", t.agentHeaders, { windows });
    const report = (runId: string, extra: object = {}) =>
      call("POST", "/ingest/runs", t.agentHeaders, {
        runId,
        profile: "smoke",
        target: "http://127.0.0.1:4100",
        status: "passed",
        startedAt: 1_700_000_000_000,
        ...extra,
      });

    /** Three workers with different latency profiles, 30 seconds each; returns every sample. */
    async function seedThreeWorkers(runId: string): Promise<number[]> {
      const all: number[] = [];
      const random = lehmer(42);
      const windows = [];
      for (const [w, base, spread] of [
        ["w1", 2_000, 8_000],
        ["w2", 5_000, 20_000],
        ["w3", 40_000, 400_000],
      ] as const) {
        for (let s = 0; s < 30; s++) {
          const samples = Array.from({ length: 50 + ((s * 7) % 40) }, () =>
            Math.round(base + random() * spread),
          );
          all.push(...samples);
          windows.push(
            makeWindow({ runId, step: "checkout", worker: w, second: 1_700_000_000 + s }, samples),
          );
        }
      }
      expect((await ingest(windows)).status).toBe(200);
      await report(runId);
      return all;
    }

    it("merged p95 across three workers equals the p95 of the union of their samples within one bucket", async () => {
      const all = await seedThreeWorkers("merge-run");
      const res = await call("GET", "/runs/merge-run", viewer.headers);
      expect(res.status).toBe(200);
      const checkout = (res.body.steps as Record<string, WindowSummary>).checkout!;
      expect(checkout.count).toBe(all.length);

      const union = newHistogram();
      for (const s of all) recordMicros(union, s);
      const sorted = [...all].sort((a, b) => a - b);
      const exactP95 = sorted[Math.ceil(0.95 * sorted.length) - 1]! / 1000;
      // One bucket of a 3-significant-digit HDR histogram is at most 0.1 % of the value.
      expect(checkout.latency.p95).toBe(union.getValueAtPercentile(95) / 1000);
      expect(Math.abs(checkout.latency.p95 - exactP95)).toBeLessThanOrEqual(exactP95 * 0.001 + 0.001);
      expect(checkout.latency.p99).toBe(union.getValueAtPercentile(99) / 1000);
    });

    it("serves a downsampled series whose buckets merge histograms", async () => {
      const res = await call(
        "GET",
        "/runs/merge-run/series?step=checkout&stat=p95&resolution=10",
        viewer.headers,
      );
      expect(res.status).toBe(200);
      const points = res.body.points as Array<[number, number]>;
      expect(points.map(([t]) => t)).toEqual([1_700_000_000, 1_700_000_010, 1_700_000_020]);
      // Buckets align to multiples of the resolution; rates are per second over the seconds covered.
      const rate = await call(
        "GET",
        "/runs/merge-run/series?step=checkout&stat=rate&resolution=20",
        viewer.headers,
      );
      const perSecond = (s: number) => 3 * (50 + ((s * 7) % 40));
      const sum = (from: number, to: number) =>
        Array.from({ length: to - from }, (_, i) => perSecond(from + i)).reduce((a, b) => a + b);
      expect(rate.body.points).toEqual([
        [1_700_000_000, sum(0, 20) / 20],
        [1_700_000_020, sum(20, 30) / 10],
      ]);
      const bad = await call("GET", "/runs/merge-run/series?stat=p42", viewer.headers);
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/query\.stat/);
    });

    it("compares two runs step by step and renders reports", async () => {
      await ingest([
        makeWindow({ runId: "other-run", step: "checkout", worker: "w1", second: 1_700_000_000 }, [1_000]),
      ]);
      await report("other-run", {
        thresholds: [{ expression: "p95(checkout) < 800ms", ok: false, value: 912 }],
      });
      const res = await call("GET", "/runs/compare?a=merge-run&b=other-run", viewer.headers);
      expect(res.status).toBe(200);
      const diff = res.body.diff as Record<string, Record<string, { a: number; b: number; change: number }>>;
      expect(diff.checkout!.p95!.b).toBe(1);
      expect(diff.checkout!.p95!.change).toBeLessThan(0);

      const xml = await fetch(`${t.url}/api/v1/runs/other-run/report.xml`, { headers: viewer.headers });
      const text = await xml.text();
      expect(text).toMatch(/<testcase [^>]*name="p95\(checkout\) &lt; 800ms"><failure/);
      const html = await fetch(`${t.url}/api/v1/runs/other-run/report.html`, { headers: viewer.headers });
      const page = await html.text();
      expect(page).toContain('<p class="verdict" data-status="passed">');
      // The same renderer as the generator's report.html: thresholds with their units.
      expect(page).toContain("<td>&lt; 800 ms</td><td>912.0 ms</td>");
      expect((await call("GET", "/runs/nope", viewer.headers)).status).toBe(404);
    });

    it("lists runs newest first and profiles", async () => {
      const list = await call("GET", "/runs", viewer.headers);
      expect((list.body.runs as { runId: string }[]).map((r) => r.runId)).toContain("merge-run");
      const profiles = await call("GET", "/profiles", viewer.headers);
      expect(profiles.body.profiles).toContainEqual(expect.objectContaining({ name: "smoke" }));
    });

    it("starts a run as a generator process with its own token, and stops it", async () => {
      const started = await call("POST", "/runs", ops.headers, {
        profile: "smoke",
        target: "http://127.0.0.1:4100",
        rateScale: 0.5,
      });
      expect(started.status).toBe(201);
      const run = started.body.run as { runId: string; status: string; startedBy: string };
      expect(run).toMatchObject({ status: "starting", startedBy: ops.email });
      const waitFor = async (status: string) => {
        const deadline = Date.now() + 20_000;
        while (Date.now() < deadline) {
          const detail = await call("GET", `/runs/${run.runId}`, viewer.headers);
          if ((detail.body.run as { status: string }).status === status) return;
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error(`run never became ${status}`);
      };
      await waitFor("running");
      expect((await call("POST", `/runs/${run.runId}/stop`, ops.headers)).status).toBe(202);
      await waitFor("aborted");
      expect((await call("POST", `/runs/${run.runId}/stop`, ops.headers)).status).toBe(409);
    });

    it("refuses targets off the allowlist and unknown profiles", async () => {
      const off = await call("POST", "/runs", ops.headers, {
        profile: "smoke",
        target: "https://example.org",
      });
      expect(off.status).toBe(400);
      expect(off.body.message).toMatch(/body\.target: .*not allowlisted/);
      const unknown = await call("POST", "/runs", ops.headers, {
        profile: "nope",
        target: "http://127.0.0.1:1",
      });
      expect(unknown.status).toBe(400);
      expect(unknown.body.message).toMatch(/body\.profile/);
    });

    it('takes workers "auto" as this machine\'s cores − 1 (at least 1) and refuses any other word or count', async () => {
      for (const bad of ["many", "Auto", 0, 2.5, 1001, null]) {
        const res = await call("POST", "/runs", ops.headers, {
          profile: "smoke",
          target: "http://127.0.0.1:4100",
          workers: bad,
        });
        expect(res.status, String(bad)).toBe(400);
        expect(res.body.message, String(bad)).toMatch(/^body\.workers: /);
      }
      // No target: the hub's own shop, as the dashboard's Control form would fill it in.
      const auto = await call("POST", "/runs", ops.headers, { profile: "smoke", workers: "auto" });
      expect(auto.status).toBe(201);
      const run = auto.body.run as { runId: string; workers: number; target: string };
      expect(run.workers).toBe(autoWorkers(availableParallelism()));
      const config = await call("GET", "/config", ops.headers);
      expect(run.target).toBe(config.body.shopUrl);
      expect((await call("POST", `/runs/${run.runId}/abort`, ops.headers)).status).toBe(202);
    });

    it("runs the breakpoint profile as one generator: a split of it is refused naming workers, and nothing starts", async () => {
      const before = await call("GET", "/runs", ops.headers);
      const res = await call("POST", "/runs", ops.headers, { profile: "breakpoint", workers: 2 });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(
        /^body\.workers: profile breakpoint finds a capacity .* leave workers at 1$/,
      );
      // No run was added (the earlier test's aborted run may still be ending: compare ids, not rows).
      const ids = (r: { body: Record<string, unknown> }) =>
        (r.body.runs as Array<{ runId: string }>).map((x) => x.runId);
      expect(ids(await call("GET", "/runs", ops.headers))).toEqual(ids(before));
    });

    probeApiTests(() => t);
  });
}

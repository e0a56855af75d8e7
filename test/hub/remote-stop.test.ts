import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { type HubApi, hubApi } from "../helpers/alerting.ts";
import { peakwatch } from "../helpers/cli.ts";
import { startTestHub, type TestHub } from "../helpers/hub.ts";
import { startTestTarget, type TestTarget } from "../helpers/loadgen.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface RunBody {
  runId: string;
  status: string;
  verdict?: string;
  workerLosses: unknown[];
}

/**
 * The pods of a Kubernetes run, played by real generator processes started with the rendered
 * Job's arguments and token: the hub cannot signal them, so a stop reaches them in the answer
 * to their windows.
 */
describe("a Kubernetes run stopped from the hub", () => {
  let target: TestTarget;
  let t: TestHub;
  let api: HubApi;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    target = await startTestTarget();
    t = await startTestHub({
      env: {
        // Pods silent this long after the stop have finished; long enough that a pod slow to load
        // its code on a busy machine is not lost before its first window.
        HUB_WORKER_TIMEOUT_SECONDS: "5",
        // Two generators load their code before the common start.
        HUB_KUBERNETES_START_DELAY_SECONDS: "6",
      },
    });
    api = hubApi(t.url, await t.loginAs("ops"));
  }, 60_000);
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    await t?.close();
    await target?.close();
  });

  it("its pods stop on the ingest answer (exit code 130) and the run ends aborted once they fall silent, no worker lost", async () => {
    const started = await api<{ run: RunBody; manifest: { yaml: string } }>("POST", "/runs", {
      profile: "smoke",
      target: target.url,
      workers: 2,
      placement: "kubernetes",
      // 60 s planned: a run that ends soon after the stop ended because of it.
      durationScale: 2,
    });
    const { runId } = started.run;
    const docs = parseAllDocuments(started.manifest.yaml).map((d) => d.toJS());
    const token = docs.find((d) => d.kind === "Secret").stringData["agent-token"] as string;
    const job = docs.find((d) => d.kind === "Job");
    const args = job.spec.template.spec.containers[0].args as string[];
    const pods = [0, 1].map((index) =>
      peakwatch(
        args.map((a) => a.replace("$(JOB_COMPLETION_INDEX)", String(index))),
        {
          PEAKWATCH_HUB_URL: t.url,
          PEAKWATCH_AGENT_TOKEN: token,
          PEAKWATCH_DATA_DIR: t.dataDir,
          // As the Job's pods have them from the cluster's Secret: checkout logs in by mailed code.
          PEAKWATCH_SHOP_URL: target.url,
          SHOP_TEST_HOOKS_TOKEN: "test-hooks",
        },
        { onStart: (child) => children.push(child) },
      ),
    );

    const states = async () =>
      (await api<{ workers: Array<{ state: string }> }>("GET", `/runs/${runId}/workers`)).workers.map(
        (w) => w.state,
      );
    for (let i = 0; i < 150 && (await states()).some((s) => s !== "running"); i++) await sleep(200);
    const seen = await states();
    if (seen.some((s) => s !== "running")) {
      for (const child of children) child.kill("SIGKILL");
      const output = (await Promise.all(pods)).map((p) => p.stderr).join("\n---\n");
      expect(seen, output).toEqual(["running", "running"]);
    }

    const stopped = await api<{ run: RunBody }>("POST", `/runs/${runId}/stop`);
    // Open until its pods have stopped: their token still stores their last windows.
    expect(stopped.run.status).toBe("running");
    const stopAt = Date.now();
    const timer = setTimeout(() => {
      for (const child of children) child.kill("SIGKILL");
    }, 30_000);
    const exits = await Promise.all(pods);
    clearTimeout(timer);
    const stopSeconds = (Date.now() - stopAt) / 1000;
    for (const exit of exits) {
      expect(exit.code, exit.stderr).toBe(130);
      expect(exit.stderr).toMatch(/the hub asked this run to stop/);
    }
    // Long before the 60 s planned: the answer comes with the next batch, a second or so.
    expect(stopSeconds).toBeLessThan(20);

    let run: RunBody | undefined;
    for (let i = 0; i < 200; i++) {
      run = (await api<{ run: RunBody }>("GET", `/runs/${runId}`)).run;
      if (run.status !== "running") break;
      await sleep(200);
    }
    expect(run?.status, run?.verdict).toBe("aborted");
    expect(run!.workerLosses).toEqual([]);
    expect(await states()).toEqual(["exited", "exited"]);
    console.log(`remote stop: pods exited ${stopSeconds.toFixed(1)} s after the stop`);
  }, 90_000);
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  getProfile,
  measureUnstalled,
  runInProcess,
  startTestTarget,
  type TestTarget,
} from "../helpers/loadgen.ts";

describe("breakpoint", () => {
  let target: TestTarget;
  beforeAll(async () => {
    // One request at a time, 5 ms each: about 200 requests/s before queues grow.
    target = await startTestTarget({ serialMs: 5 });
  });
  afterAll(async () => {
    await target.close();
  });

  it("ramps until a threshold breaks, stops, and reports the highest rate that held", async () => {
    const profile = getProfile({
      startRate: 20,
      stages: [{ duration: "16s", rate: 500 }],
      thresholds: [{ expression: "p95 < 150ms", abortOnFail: true, window: "3s", delayAbortEval: "4s" }],
      breakpoint: true,
      executor: { connections: 64, maxVUs: 2000 },
    });
    // A descheduled process shows up as latency and would break the ramp early.
    const { result: outcome, stallMs } = await measureUnstalled(() => runInProcess(profile, target.url), {
      maxStallMs: 100,
    });
    const s = outcome.summary;
    expect(s.abortedBy).toMatchObject({ expression: "p95 < 150ms" });
    expect(s.elapsedSeconds).toBeLessThan(14);
    expect(
      s.breakpoint!.highestRateHeld,
      `event loop stalled up to ${stallMs.toFixed(0)} ms`,
    ).toBeGreaterThan(60);
    expect(s.status).toBe("passed");
    expect(outcome.exitCode).toBe(0);
    // The capacity found is near the server's 200/s, not the ramp's 500/s.
    expect(s.breakpoint!.highestRateHeld).toBeGreaterThan(60);
    expect(s.breakpoint!.highestRateHeld).toBeLessThan(260);
    expect(s.verdict).toMatch(/capacity \d+(\.\d)? journeys\/s \(broke on p95 < 150ms\)/);
  });
});

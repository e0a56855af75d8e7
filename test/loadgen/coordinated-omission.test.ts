import { afterEach, describe, expect, it } from "vitest";
import { mergeEncoded } from "../../core/histogram.ts";
import { JOURNEY_STEP } from "../../core/window.ts";
import {
  getProfile,
  measureUnstalled,
  runInProcess,
  startTestTarget,
  type TestTarget,
} from "../helpers/loadgen.ts";

const ms = (micros: number) => micros / 1000;

describe("coordinated omission: a server that stalls 1 s every 5 s", () => {
  let target: TestTarget | undefined;
  afterEach(async () => {
    await target?.close();
  });

  it("open-model p99 shows the stall while service-time p99 stays low", async () => {
    target = await startTestTarget({ stall: { everyMs: 5000, forMs: 1000, afterMs: 1000 } });
    const profile = getProfile({
      stages: [{ duration: "10s", rate: 200 }],
      executor: { connections: 8, maxVUs: 1000, maxQueueDelay: "3s" },
    });
    // Client and server share this process: if it is descheduled, every service time grows.
    const { result: outcome, stallMs } = await measureUnstalled(() => runInProcess(profile, target!.url));
    const requests = outcome.windows.filter((w) => w.step === "get");
    const latency = mergeEncoded(requests.map((w) => w.latency));
    const service = mergeEncoded(requests.flatMap((w) => (w.service ? [w.service] : [])));
    expect(latency.totalCount).toBe(2000);
    expect(service.totalCount).toBe(2000);
    // Arrivals queued behind the stall are measured from when they should have started.
    expect(ms(latency.getValueAtPercentile(99))).toBeGreaterThanOrEqual(900);
    // Only the few requests on the 8 stalled connections waited on the server itself.
    expect(
      ms(service.getValueAtPercentile(99)),
      `event loop stalled up to ${stallMs.toFixed(0)} ms`,
    ).toBeLessThan(200);
    expect(outcome.summary.steps.get!.p99).toBeGreaterThanOrEqual(900);
    expect(outcome.summary.dropped).toBe(0);
  });

  it("counts arrivals as dropped when every virtual user is busy past the bound", async () => {
    target = await startTestTarget({ stall: { everyMs: 5000, forMs: 1000, afterMs: 1000 } });
    const profile = getProfile({
      stages: [{ duration: "4s", rate: 200 }],
      executor: { connections: 8, maxVUs: 40, maxQueueDelay: "200ms" },
    });
    const outcome = await runInProcess(profile, target.url);
    const journey = outcome.windows.filter((w) => w.step === JOURNEY_STEP);
    const dropped = journey.reduce((n, w) => n + w.dropped, 0);
    const achieved = journey.reduce((n, w) => n + w.achievedRate, 0);
    // In the 1 s stall 200 arrive, 40 users hold one each and the rest wait 200 ms at most.
    expect(dropped).toBeGreaterThan(60);
    expect(dropped + achieved).toBe(800);
    expect(outcome.summary.dropped).toBe(dropped);
    expect(outcome.requests).toBe(achieved);
    expect(target.arrivals.length).toBe(achieved);
  });
});

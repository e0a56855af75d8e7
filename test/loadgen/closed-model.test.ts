import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getProfile, runInProcess, startTestTarget, type TestTarget } from "../helpers/loadgen.ts";

describe("closed-model executor on autocannon", () => {
  let target: TestTarget;
  beforeAll(async () => {
    target = await startTestTarget({ delayMs: 5 });
  });
  afterAll(async () => {
    await target.close();
  });

  it("keeps the stage's connections busy and counts every response in per-second windows by step", async () => {
    const profile = getProfile({
      stages: [{ duration: "2s", connections: 4 }],
      journeys: [
        {
          name: "two-steps",
          steps: [
            { name: "first", path: "/a" },
            { name: "second", path: "/b" },
          ],
        },
      ],
    });
    const outcome = await runInProcess(profile, target.url);
    const first = outcome.summary.steps.first!;
    const second = outcome.summary.steps.second!;
    // autocannon stops without waiting for the last request on each connection.
    expect(target.arrivals.length - outcome.requests).toBeGreaterThanOrEqual(0);
    expect(target.arrivals.length - outcome.requests).toBeLessThanOrEqual(4);
    expect(outcome.requests).toBeGreaterThan(100);
    // Each connection alternates the two steps, so their counts differ by at most one per connection.
    expect(Math.abs(first.requests - second.requests)).toBeLessThanOrEqual(4);
    expect(first.errors + second.errors).toBe(0);
    // At 4 connections and a 5 ms server there can be no more than ~800 requests/s.
    expect(outcome.requests).toBeLessThan(2 * 4 * 200 + 50);
    expect(first.p50).toBeGreaterThanOrEqual(5);
  });
});

import { describe, expect, it } from "vitest";
import { parseProfile, rateSegments, scaleProfile } from "./profile.ts";
import { builtinProfiles } from "./profiles/index.ts";

const minimal = { name: "t", stages: [{ duration: "10s", rate: 5 }], journeys: [{ name: "product" }] };

describe("parseProfile", () => {
  it("accepts every built-in profile", () => {
    for (const [name, input] of Object.entries(builtinProfiles)) {
      const r = parseProfile(input);
      expect(r.ok, `${name}: ${r.ok ? "" : r.error}`).toBe(true);
    }
  });

  it("normalises durations to seconds and applies defaults", () => {
    const r = parseProfile({
      ...minimal,
      stages: [
        { duration: "1.5m", rate: 5 },
        { duration: 20, rate: 1 },
      ],
    });
    if (!r.ok) throw new Error(r.error);
    expect(r.profile.stages.map((s) => s.duration)).toEqual([90, 20]);
    expect(r.profile.executor.connections).toBe(64);
    expect(r.profile.executor.maxQueueDelay).toBe(1);
  });

  it("names the path of a bad field", () => {
    const bad = parseProfile({
      ...minimal,
      stages: [
        { duration: "10s", rate: 5 },
        { duration: "10x", rate: 1 },
      ],
    });
    expect(bad).toMatchObject({ ok: false, path: "stages[1].duration" });
    const neither = parseProfile({ ...minimal, stages: [{ duration: "10s" }] });
    expect(neither.ok || neither.error).toMatch(/^stages\[0\]: give exactly one of rate/);
    const journey = parseProfile({ ...minimal, journeys: [{ name: "teleport" }] });
    expect(journey).toMatchObject({ ok: false, path: "journeys[0].name" });
    const threshold = parseProfile({ ...minimal, thresholds: ["p99 < 2s", "p95(checkout) < 3%"] });
    expect(threshold.ok || threshold.error).toMatch(/^thresholds\[1\]: "p95" is a latency/);
    const fault = parseProfile({
      ...minimal,
      faults: [{ at: 1, fault: "payment_failure", params: { percentage: 300 } }],
    });
    expect(fault).toMatchObject({ ok: false, path: "faults[0].params.percentage" });
    const unknown = parseProfile({ ...minimal, stagez: [] });
    expect(unknown.ok).toBe(false);
  });

  it("scales rates and durations together with fault offsets", () => {
    const r = parseProfile({
      ...minimal,
      faults: [{ at: "60s", fault: "latency", duration: "30s", params: { fixedMs: 200 } }],
    });
    if (!r.ok) throw new Error(r.error);
    const scaled = scaleProfile(r.profile, { rate: 2, duration: 0.5 });
    expect(scaled.stages[0]).toMatchObject({ duration: 5, rate: 10 });
    expect(scaled.faults[0]).toMatchObject({ at: 30, duration: 15 });
  });

  it("ramps each stage from the previous rate", () => {
    expect(
      rateSegments({
        startRate: 50,
        stages: [
          { duration: 10, rate: 500 },
          { duration: 5, rate: 500 },
        ],
      }),
    ).toEqual([
      { duration: 10, from: 50, to: 500 },
      { duration: 5, from: 500, to: 500 },
    ]);
  });
});

import { describe, expect, it } from "vitest";
import { nextStep, type SearchOptions, type StepRecord } from "./knee.ts";

const options: SearchOptions = { startRate: 2, maxRate: 100, growth: 2, resolution: 0.1, maxSteps: 12 };

/** Drives the search against a system that holds every rate ≤ `capacity` (or a custom judge). */
function search(judge: (rate: number, i: number) => boolean, o = options) {
  const history: StepRecord[] = [];
  for (;;) {
    const next = nextStep(history, o);
    if (next.kind === "done") return { next, history };
    history.push({
      rate: next.rate,
      purpose: next.purpose,
      ok: judge(next.rate, history.length),
      broken: [],
    });
  }
}

describe("capacity search", () => {
  it("ramps, narrows the knee to the resolution, and confirms the last good step", () => {
    const { next, history } = search((rate) => rate <= 6);
    expect(next).toMatchObject({ kind: "done", confirmed: true });
    if (next.kind !== "done") return;
    expect(next.capacity).toBeLessThanOrEqual(6);
    expect(next.capacity).toBeGreaterThan(6 / 1.1);
    expect(next.knee! / next.capacity).toBeLessThanOrEqual(1.1);
    expect(history.slice(0, 3).map((s) => s.rate)).toEqual([2, 4, 8]);
    const last = history[history.length - 1]!;
    expect(last).toMatchObject({ purpose: "confirm", rate: next.capacity, ok: true });
  });

  it("steps back when the confirmation fails, and confirms a lower rate", () => {
    // 5.66 holds once (step 3), then no more: its confirmation fails; everything ≤ 5 holds.
    const { next, history } = search((rate, i) => rate <= 5 || (rate <= 5.66 && i <= 3));
    expect(next.kind).toBe("done");
    if (next.kind !== "done") return;
    expect(next.confirmed).toBe(true);
    expect(next.capacity).toBeLessThan(5.66);
    expect(history.filter((s) => s.purpose === "confirm").length).toBeGreaterThanOrEqual(2);
  });

  it("reports a capacity below the first step when even that breaks", () => {
    const { next } = search(() => false);
    // 2, then 1, then 0.5 (a quarter of the start rate) all break.
    expect(next).toMatchObject({ kind: "done", capacity: 0, knee: 0.5, confirmed: false });
  });

  it("stops at the highest rate asked for when nothing breaks", () => {
    const { next, history } = search(() => true, { ...options, maxRate: 10 });
    expect(next).toMatchObject({ kind: "done", capacity: 10, knee: undefined });
    expect(history.map((s) => s.rate)).toEqual([2, 4, 8, 10]);
  });

  it("never runs more steps than allowed", () => {
    const { history } = search((rate) => rate <= 6, { ...options, maxSteps: 4 });
    expect(history.length).toBe(4);
  });
});

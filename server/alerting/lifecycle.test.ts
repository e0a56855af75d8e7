import { describe, expect, it } from "vitest";
import { advance, inactive, type Lifecycle } from "./lifecycle.ts";

/** Drives one alert through a sequence of (seconds, breaching) evaluations with an injected clock. */
function drive(
  timing: { forSeconds: number; keepFiringForSeconds: number },
  steps: Array<[number, boolean]>,
) {
  let state: Lifecycle = inactive;
  const events: Array<[number, string]> = [];
  for (const [second, breaching] of steps) {
    const { next, event } = advance(state, breaching, timing, second * 1000);
    state = next;
    if (event) events.push([second, event]);
  }
  return { state, events };
}

describe("alert lifecycle", () => {
  it("stays inactive while the condition holds not", () => {
    expect(
      drive({ forSeconds: 5, keepFiringForSeconds: 0 }, [
        [0, false],
        [1, false],
      ]).events,
    ).toEqual([]);
  });

  it("goes pending on a breach and fires once `for` has elapsed", () => {
    const { state, events } = drive({ forSeconds: 3, keepFiringForSeconds: 0 }, [
      [10, true],
      [11, true],
      [12, true],
      [13, true],
      [14, true],
    ]);
    expect(events).toEqual([
      [10, "pending"],
      [13, "firing"],
    ]);
    expect(state).toMatchObject({ state: "firing", activeAt: 10_000, firedAt: 13_000 });
  });

  it("fires at once when `for` is zero", () => {
    expect(drive({ forSeconds: 0, keepFiringForSeconds: 0 }, [[1, true]]).events).toEqual([[1, "firing"]]);
  });

  it("a pending alert whose condition clears goes back to inactive without firing", () => {
    const { state, events } = drive({ forSeconds: 5, keepFiringForSeconds: 0 }, [
      [0, true],
      [2, true],
      [3, false],
      [4, true],
    ]);
    expect(events).toEqual([
      [0, "pending"],
      [3, "inactive"],
      [4, "pending"],
    ]);
    expect(state.activeAt).toBe(4000);
  });

  it("resolves on the first clear evaluation without keep_firing_for", () => {
    const { state, events } = drive({ forSeconds: 0, keepFiringForSeconds: 0 }, [
      [0, true],
      [1, true],
      [2, false],
    ]);
    expect(events).toEqual([
      [0, "firing"],
      [2, "resolved"],
    ]);
    expect(state).toMatchObject({ state: "resolved", resolvedAt: 2000, firedAt: 0 });
  });

  it("flapping within keep_firing_for neither resolves nor fires again", () => {
    // Breach, clear, breach, clear ... each gap shorter than keep_firing_for (10 s).
    const steps: Array<[number, boolean]> = [];
    for (let s = 0; s < 40; s++) steps.push([s, s % 8 < 3]);
    const { state, events } = drive({ forSeconds: 0, keepFiringForSeconds: 10 }, steps);
    expect(events).toEqual([[0, "firing"]]);
    expect(state.state).toBe("firing");
  });

  it("resolves once the condition has stayed clear for keep_firing_for", () => {
    const { events } = drive({ forSeconds: 0, keepFiringForSeconds: 5 }, [
      [0, true],
      [1, false],
      [4, false],
      [5, false],
      [6, false],
    ]);
    // Last breach at 0 s: still firing at 4 s, resolved at 5 s (5 s after the last breach).
    expect(events).toEqual([
      [0, "firing"],
      [5, "resolved"],
    ]);
  });

  it("a resolved alert that breaches again starts a new activation and forgets the acknowledgement", () => {
    const fired = drive({ forSeconds: 0, keepFiringForSeconds: 0 }, [[0, true]]).state;
    const acked = { ...fired, acknowledgedBy: "eng@x", acknowledgedAt: 500 };
    const resolved = advance(acked, false, { forSeconds: 2, keepFiringForSeconds: 0 }, 1000).next;
    const again = advance(resolved, true, { forSeconds: 2, keepFiringForSeconds: 0 }, 3000);
    expect(again.event).toBe("pending");
    expect(again.next).toMatchObject({
      state: "pending",
      activeAt: 3000,
      firedAt: null,
      acknowledgedBy: null,
    });
  });

  it("keeps the acknowledgement while firing", () => {
    const fired = drive({ forSeconds: 0, keepFiringForSeconds: 0 }, [[0, true]]).state;
    const acked = { ...fired, acknowledgedBy: "eng@x", acknowledgedAt: 500 };
    expect(advance(acked, true, { forSeconds: 0, keepFiringForSeconds: 0 }, 1000).next.acknowledgedBy).toBe(
      "eng@x",
    );
  });
});

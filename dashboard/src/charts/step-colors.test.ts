import { describe, expect, it } from "vitest";
import { StepColors } from "./step-colors.ts";
import { seriesColors } from "./top-series.ts";

describe("StepColors", () => {
  it("a step keeps its colour when a reload lists the steps in another order", () => {
    const colors = new StepColors();
    // Live seconds: the journey last. The reload after the run's end: the journey first.
    const live = colors.colorsOf(["browse", "checkout", "journey"]);
    const reloaded = colors.colorsOf(["journey", "browse", "checkout"]);
    expect(reloaded).toEqual([live[2], live[0], live[1]]);
    expect(new Set(live).size).toBe(3);
  });

  it("a step that appears later gets a colour no other step holds", () => {
    const colors = new StepColors();
    const [a, b] = colors.colorsOf(["a", "b"]);
    const [c, b2, a2] = colors.colorsOf(["c", "b", "a"]);
    expect([a2, b2]).toEqual([a, b]);
    expect([a, b]).not.toContain(c);
  });

  it("once every colour is held, a new step takes one from a step not drawn now, never a drawn one's", () => {
    const colors = new StepColors();
    const first = Array.from({ length: seriesColors.length }, (_, i) => `step${i}`);
    const held = colors.colorsOf(first);
    expect(new Set(held).size).toBe(seriesColors.length);
    // step0 is folded into "other" now; the newcomer takes its colour, the others keep theirs.
    const drawn = [...first.slice(1), "late"];
    const now = colors.colorsOf(drawn);
    expect(now.slice(0, -1)).toEqual(held.slice(1));
    expect(now.at(-1)).toBe(held[0]);
  });
});

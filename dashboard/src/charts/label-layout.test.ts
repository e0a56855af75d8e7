import { describe, expect, it } from "vitest";
import { layoutLabels } from "./label-layout.ts";

const area = { left: 0, right: 500, maxLanes: 3, gap: 6, pad: 4 };
const overlaps = (a: { left: number; lane: number }, b: { left: number; lane: number }, width: number) =>
  a.lane === b.lane && Math.abs(a.left - b.left) < width;

describe("layoutLabels", () => {
  it("puts labels that would collide on separate rows", () => {
    const placed = layoutLabels(
      [
        { x: 100, width: 120 },
        { x: 110, width: 120 },
        { x: 300, width: 120 },
      ],
      area,
    );
    expect(placed.map((p) => p.lane)).toEqual([0, 1, 0]);
    expect(placed.every((p) => !p.hidden)).toBe(true);
    expect(overlaps(placed[0]!, placed[1]!, 120)).toBe(false);
  });

  it("flips a label left of its line at the right edge", () => {
    const [p] = layoutLabels([{ x: 480, width: 100 }], area);
    expect(p).toEqual({ left: 376, lane: 0, hidden: false });
  });

  it("hides what no row has room for instead of drawing over it", () => {
    const placed = layoutLabels(
      Array.from({ length: 5 }, (_, i) => ({ x: 100 + i, width: 80 })),
      area,
    );
    expect(placed.filter((p) => p.hidden)).toHaveLength(2);
    const shown = placed.filter((p) => !p.hidden);
    for (const a of shown) for (const b of shown) if (a !== b) expect(overlaps(a, b, 80)).toBe(false);
  });
});

/** A label to place beside a vertical marker line at `x`, `width` wide (same units). */
export interface LabelBox {
  x: number;
  width: number;
}

export interface PlacedLabel {
  /** Where the text starts. */
  left: number;
  /** Row from the top, 0-based. */
  lane: number;
  /** True when no row had room: the line is drawn, the text is not. */
  hidden: boolean;
}

/**
 * Places marker labels so none overlaps another: each goes right of its line, or left of it
 * near the right edge, in the first row where it clears the previous label by `gap`; past
 * `maxLanes` rows it is hidden rather than drawn over another. Pure, so it is unit-tested.
 */
export function layoutLabels(
  labels: ReadonlyArray<LabelBox>,
  area: { left: number; right: number; maxLanes: number; gap: number; pad: number },
): PlacedLabel[] {
  const laneEnds: number[] = [];
  const order = labels.map((l, i) => ({ l, i })).sort((a, b) => a.l.x - b.l.x || a.i - b.i);
  const placed: PlacedLabel[] = labels.map(() => ({ left: 0, lane: 0, hidden: true }));
  for (const { l, i } of order) {
    const right = l.x + area.pad + l.width;
    const left = right > area.right ? Math.max(area.left, l.x - area.pad - l.width) : l.x + area.pad;
    let lane = laneEnds.findIndex((end) => left >= end + area.gap);
    if (lane === -1 && laneEnds.length < area.maxLanes) lane = laneEnds.length;
    if (lane === -1) continue;
    laneEnds[lane] = left + l.width;
    placed[i] = { left, lane, hidden: false };
  }
  return placed;
}

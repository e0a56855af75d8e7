/** Chart colours, distinguishable in both themes; the eighth slot goes to "other" when needed. */
export const seriesColors = [
  "--pw-chart-1",
  "--pw-chart-2",
  "--pw-chart-3",
  "--pw-chart-4",
  "--pw-chart-5",
  "--pw-chart-6",
  "--pw-chart-7",
  "--pw-chart-8",
] as const;
export const OTHER_COLOR = "--pw-chart-other";

/** Most series one chart shows: past this, colours repeat and the legend stops being readable. */
export const MAX_SERIES = seriesColors.length;

export interface NamedColumn {
  label: string;
  values: ReadonlyArray<number | null>;
}

/**
 * Keeps the `limit - 1` series with the highest peak and folds the rest into one "other"
 * series (so at most `limit` lines): `max` for ratios (the worst of the rest), `sum` for
 * counts and rates. With `limit` or fewer series nothing is folded. Order is kept.
 */
export function topSeries(
  columns: ReadonlyArray<NamedColumn>,
  combine: "max" | "sum",
  limit: number = MAX_SERIES,
): NamedColumn[] {
  if (columns.length <= limit) return [...columns];
  const peak = (c: NamedColumn) =>
    c.values.reduce<number>((m, v) => (v !== null && v > m ? v : m), -Infinity);
  const ranked = columns
    .map((c, i) => ({ c, i, peak: peak(c) }))
    .sort((a, b) => b.peak - a.peak || a.i - b.i);
  const kept = new Set(ranked.slice(0, limit - 1).map((r) => r.i));
  const rest = columns.filter((_, i) => !kept.has(i));
  const length = Math.max(0, ...columns.map((c) => c.values.length));
  const other: Array<number | null> = [];
  for (let j = 0; j < length; j++) {
    let acc: number | null = null;
    for (const c of rest) {
      const v = c.values[j];
      if (v === null || v === undefined) continue;
      acc = acc === null ? v : combine === "max" ? Math.max(acc, v) : acc + v;
    }
    other.push(acc);
  }
  return [
    ...columns.filter((_, i) => kept.has(i)),
    { label: `other ${rest.length} (${combine === "max" ? "highest" : "total"})`, values: other },
  ];
}

import { describe, expect, it } from "vitest";
import { topSeries } from "./top-series.ts";

const col = (label: string, values: Array<number | null>) => ({ label, values });

describe("topSeries", () => {
  it("keeps a short list as it is", () => {
    const columns = [col("a", [1]), col("b", [2])];
    expect(topSeries(columns, "max", 8)).toEqual(columns);
  });

  it("keeps the highest peaks in their order and folds the rest into one 'other'", () => {
    const columns = [
      col("a", [0.1, 0.2]),
      col("b", [0.9, null]),
      col("c", [0.3, 0.05]),
      col("d", [null, 0.5]),
      col("e", [0.01, 0.02]),
    ];
    const max = topSeries(columns, "max", 3);
    expect(max.map((c) => c.label)).toEqual(["b", "d", "other 3 (highest)"]);
    expect(max[2]!.values).toEqual([0.3, 0.2]);
    const sum = topSeries(columns, "sum", 3);
    expect(sum[2]!.values.map((v) => Number(v!.toFixed(2)))).toEqual([0.41, 0.27]);
  });

  it("never draws more than the limit, with 13 steps as in a holiday run", () => {
    const columns = Array.from({ length: 13 }, (_, i) => col(`step${i}`, [i, null, i / 2]));
    const shown = topSeries(columns, "max");
    expect(shown).toHaveLength(8);
    expect(shown.at(-1)!.label).toBe("other 6 (highest)");
    expect(shown.at(-1)!.values).toEqual([5, null, 2.5]);
  });
});

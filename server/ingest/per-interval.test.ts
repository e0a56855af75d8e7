import { describe, expect, it } from "vitest";
import { perInterval } from "./per-interval.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("perInterval", () => {
  it("drains at most once per interval, folding what came meanwhile into one accumulator", async () => {
    const drained: Array<{ at: number; items: number[] }> = [];
    const sums = perInterval<number, number[]>({
      intervalMs: 300,
      start: () => [],
      add: (state, item) => void state.push(item),
      drain: (items) => void drained.push({ at: performance.now(), items }),
    });
    // After a quiet spell the first items go on the next turn.
    sums.add([1, 2]);
    await sleep(20);
    expect(drained.map((d) => d.items)).toEqual([[1, 2]]);
    // Within the interval: held, then drained together, once.
    for (let i = 3; i <= 12; i++) sums.add([i]);
    expect(drained).toHaveLength(1);
    for (let waited = 0; drained.length < 2 && waited < 5000; waited += 20) await sleep(20);
    expect(drained.map((d) => d.items)).toEqual([
      [1, 2],
      [3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
    ]);
    expect(drained[1]!.at - drained[0]!.at).toBeGreaterThanOrEqual(290);
  });

  it("flush drains at once, and a failing drain is reported without losing later items", async () => {
    const drained: string[][] = [];
    const errors: unknown[] = [];
    let fail = true;
    const work = perInterval<string, string[]>({
      intervalMs: 60_000,
      start: () => [],
      add: (state, item) => void state.push(item),
      drain: (state) => {
        if (fail) throw new Error("database gone");
        drained.push(state);
      },
      onError: (error) => errors.push(error),
    });
    work.add(["a"]);
    await sleep(20);
    expect(errors).toHaveLength(1);
    fail = false;
    work.add(["b"]);
    // A minute's interval: only flush sends it now.
    await sleep(20);
    expect(drained).toEqual([]);
    await work.flush();
    expect(drained).toEqual([["b"]]);
    await work.flush();
    expect(drained).toHaveLength(1);
  });
});

import { describe, expect, it } from "vitest";
import { MAX_LOCAL_WORKERS, parseWorkers } from "./workers.ts";

describe("parseWorkers", () => {
  it("takes a whole number of processes from 1 to the local maximum; empty is one", () => {
    expect(parseWorkers("3")).toEqual({ ok: true, workers: 3 });
    expect(parseWorkers(" 1 ")).toEqual({ ok: true, workers: 1 });
    expect(parseWorkers("")).toEqual({ ok: true, workers: 1 });
    expect(parseWorkers(String(MAX_LOCAL_WORKERS))).toEqual({ ok: true, workers: MAX_LOCAL_WORKERS });
  });

  it('takes "auto", which the hub resolves to its cores − 1', () => {
    expect(parseWorkers("auto")).toEqual({ ok: true, workers: "auto" });
    expect(parseWorkers(" auto ")).toEqual({ ok: true, workers: "auto" });
  });

  it("refuses zero, too many, fractions and other words, naming the field and the value", () => {
    for (const bad of ["0", String(MAX_LOCAL_WORKERS + 1), "2.5", "-1", "Auto", "auto2", "1e1"]) {
      const choice = parseWorkers(bad);
      expect(choice.ok, bad).toBe(false);
      if (!choice.ok)
        expect(choice.error).toMatch(new RegExp(`^Workers: .*not "${bad.replace(".", "\\.")}"$`));
    }
  });
});

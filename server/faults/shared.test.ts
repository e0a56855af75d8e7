import { describe, expect, it } from "vitest";
import type { FaultChange } from "../../core/faults.ts";
import { ANOTHER_PROJECT, faultChangeFor } from "./shared.ts";

const change: FaultChange = {
  at: 1_700_000_000_000,
  fault: "payment_failures",
  action: "set",
  by: "ana@acme.test",
  detail: "probability=0.3",
};

describe("faultChangeFor", () => {
  it("shows the project that made the change who made it and how", () => {
    expect(faultChangeFor(change, "acme", "acme")).toEqual(change);
  });

  it("shows other projects when and what, but neither who nor the parameters", () => {
    const seen = faultChangeFor(change, "acme", "default");
    expect(seen).toEqual({ ...change, by: ANOTHER_PROJECT, detail: null });
    expect(JSON.stringify(seen)).not.toContain("ana@acme.test");
    expect(change.by).toBe("ana@acme.test");
  });
});

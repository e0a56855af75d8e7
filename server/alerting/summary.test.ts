import { describe, expect, it } from "vitest";
import { incidentWindow } from "./summary.ts";

describe("incidentWindow", () => {
  const firing = (fingerprint: string, at: number) => ({ kind: "firing", at, firedAt: null, fingerprint });
  const resolved = (fingerprint: string, at: number, firedAt: number) => ({
    kind: "resolved",
    at,
    firedAt,
    fingerprint,
  });

  it("counts the incidents still open: fired and not resolved since, a second firing of a resolved alert included", () => {
    const w = incidentWindow([
      firing("a", 1000),
      resolved("a", 61_000, 1000),
      firing("b", 2000),
      firing("a", 120_000),
    ]);
    expect(w).toEqual({ count: 3, resolved: 1, open: 2, meanSecondsToResolve: 60 });
  });

  it("has none open when every incident resolved", () => {
    expect(incidentWindow([firing("a", 0), resolved("a", 30_000, 0)]).open).toBe(0);
    expect(incidentWindow([])).toEqual({ count: 0, resolved: 0, open: 0, meanSecondsToResolve: null });
  });
});

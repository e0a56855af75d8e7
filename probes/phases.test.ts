import { describe, expect, it } from "vitest";
import { phasesFrom } from "./phases.ts";

describe("phasesFrom", () => {
  it("computes each phase from the previous mark and sums to the total", () => {
    const { phases, failedIn } = phasesFrom(
      { start: 100, dns: 101, connect: 103, tls: 110, firstByte: 410, transfer: 415 },
      415,
    );
    expect(phases).toEqual({ dns: 1, connect: 2, tls: 7, firstByte: 300, transfer: 5, total: 315 });
    expect(failedIn).toBeUndefined();
  });

  it("gives skipped phases zero (IP literal, plain http)", () => {
    const { phases } = phasesFrom({ start: 0, connect: 2, firstByte: 10, transfer: 12 }, 12);
    expect(phases).toEqual({ dns: 0, connect: 2, tls: 0, firstByte: 8, transfer: 2, total: 12 });
  });

  it("charges the time until the failure to the phase that never ended", () => {
    const { phases, failedIn } = phasesFrom({ start: 0, connect: 1 }, 2000);
    expect(failedIn).toBe("tls");
    expect(phases).toEqual({ dns: 0, connect: 1, tls: 1999, firstByte: 0, transfer: 0, total: 2000 });
  });

  it("names dns when nothing happened at all", () => {
    const { phases, failedIn } = phasesFrom({ start: 5 }, 25);
    expect(failedIn).toBe("dns");
    expect(phases.total).toBe(20);
  });
});

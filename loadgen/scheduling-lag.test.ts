import { describe, expect, it } from "vitest";
import { SchedulingLag, schedulingLagLine } from "./scheduling-lag.ts";

describe("scheduling lag line", () => {
  it("never prints a p99 above the max: arrivals 4.83 ms late read p99 4.83 ms, max 4.83 ms", () => {
    const lag = new SchedulingLag();
    for (let i = 0; i < 100; i++) lag.record(4.83);
    const line = schedulingLagLine(lag.summary());
    const [p99, max] = [/p99 ([\d.]+) ms/, /max ([\d.]+) ms/].map((re) => Number(re.exec(line)?.[1]));
    expect(p99).toBeLessThanOrEqual(max!);
    expect(line).toMatch(/max 4\.8\d ms$/);
  });
});

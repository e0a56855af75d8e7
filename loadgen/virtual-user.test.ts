import { describe, expect, it } from "vitest";
import { firstUserOf, VirtualUser } from "./virtual-user.ts";

describe("firstUserOf", () => {
  it("starts each run at different customers, so a repeated run does not log the same shoppers in", () => {
    const firsts = new Set(Array.from({ length: 20 }, (_, i) => firstUserOf(`run-${i}`, 0, 1, 2000)));
    expect(firsts.size).toBeGreaterThanOrEqual(18);
    for (const f of firsts) expect(f).toBeGreaterThanOrEqual(0);
    for (const f of firsts) expect(f).toBeLessThan(2000);
  });

  it("is the same for the same run and worker (a worker's users are reproducible)", () => {
    expect(firstUserOf("run-a", 1, 4, 2000)).toBe(firstUserOf("run-a", 1, 4, 2000));
  });

  it("gives the workers of a split run disjoint customers and addresses for their first customers/workers users", () => {
    const customers = 100;
    const workers = 4;
    const emails = new Set<string>();
    const addresses = new Set<string>();
    for (let w = 0; w < workers; w++) {
      const first = firstUserOf("run-split", w, workers, customers);
      for (let i = 0; i < customers / workers; i++) {
        const vu = new VirtualUser(first + i, customers);
        emails.add(vu.email);
        addresses.add(vu.address);
      }
    }
    expect(emails.size).toBe(customers);
    expect(addresses.size).toBe(customers);
  });
});

import { describe, expect, it } from "vitest";
import { initialHealth, nextHealth, type ProbeHealth } from "./thresholds.ts";

const letter = { up: "U", down: "D", unknown: "?" } as const;

/** Feeds checks ("+" success, "-" failure) and spells the state after each. */
const run = (checks: string, thresholds = { failureThreshold: 3, successThreshold: 2 }) => {
  let health: ProbeHealth = initialHealth;
  return [...checks]
    .map((c) => {
      health = nextHealth(health, c === "+", thresholds);
      return letter[health.state];
    })
    .join("");
};

describe("failure and success thresholds", () => {
  it("goes UP on the first success of a fresh probe", () => {
    expect(run("+")).toBe("U");
  });

  it("stays unknown until a fresh probe has failed N times in a row", () => {
    expect(run("---")).toBe("??D");
  });

  it("stays UP through fewer failures than the threshold (one timeout is not an outage)", () => {
    expect(run("+--+--+")).toBe("UUUUUUU");
  });

  it("goes DOWN at the N-th consecutive failure", () => {
    expect(run("+---")).toBe("UUUD");
  });

  it("needs M consecutive successes to come back UP, so a flapping target stays DOWN", () => {
    expect(run("+---+-+-++")).toBe("UUUDDDDDDU");
  });

  it("with thresholds of 1 follows every check", () => {
    expect(run("+-+-", { failureThreshold: 1, successThreshold: 1 })).toBe("UDUD");
  });
});

import { describe, expect, it } from "vitest";
import { parseRunArgs } from "./args.ts";

describe("peakwatch run arguments", () => {
  it("default to one worker named w0", () => {
    const parsed = parseRunArgs(["smoke"]);
    expect(parsed.ok && parsed.args).toMatchObject({
      workers: 1,
      workerIndex: 0,
      worker: "w0",
      rateScale: 1,
    });
  });

  it("name a worker of a split run after its index", () => {
    const parsed = parseRunArgs(["smoke", "--workers", "4", "--worker-index", "3", "--run-id", "r1"]);
    expect(parsed.ok && parsed.args).toMatchObject({ workers: 4, workerIndex: 3, worker: "w3" });
  });

  it("need a shared run id to split a run", () => {
    const parsed = parseRunArgs(["smoke", "--workers", "2"]);
    expect(!parsed.ok && parsed.error).toMatch(/^--run-id is required with --workers/);
  });

  it("name the flag when an index is out of range", () => {
    const parsed = parseRunArgs(["smoke", "--workers", "2", "--worker-index", "2", "--run-id", "r1"]);
    expect(!parsed.ok && parsed.error).toMatch(
      /^--worker-index: expected a whole number from 0 to 1, got "2"/,
    );
  });

  it("name the flag when a scale is not a number", () => {
    const parsed = parseRunArgs(["smoke", "--rate-scale", "fast"]);
    expect(!parsed.ok && parsed.error).toMatch(/^--rate-scale: /);
  });
});

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

  it("need a shared run id for one worker of a split run", () => {
    const parsed = parseRunArgs(["smoke", "--workers", "2", "--worker-index", "1"]);
    expect(!parsed.ok && parsed.error).toMatch(/^--run-id is required with --worker-index/);
  });

  it("coordinate local workers when --workers comes without --worker-index", () => {
    const parsed = parseRunArgs(["smoke", "--workers", "3"]);
    expect(parsed.ok && parsed.args).toMatchObject({ workers: 3, oneWorker: false });
    const auto = parseRunArgs(["smoke", "--workers", "auto"]);
    expect(auto.ok && auto.args.workers).toBeGreaterThanOrEqual(1);
  });

  it("read --start-at as epoch ms or ISO 8601 and name the flag otherwise", () => {
    const ms = parseRunArgs(["smoke", "--start-at", "1796000000000"]);
    expect(ms.ok && ms.args.startAt).toBe(1_796_000_000_000);
    const iso = parseRunArgs(["smoke", "--start-at", "2026-11-30T20:00:00Z"]);
    expect(iso.ok && iso.args.startAt).toBe(Date.parse("2026-11-30T20:00:00Z"));
    const bad = parseRunArgs(["smoke", "--start-at", "soon"]);
    expect(!bad.ok && bad.error).toMatch(/^--start-at: expected epoch milliseconds or an ISO 8601 instant/);
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

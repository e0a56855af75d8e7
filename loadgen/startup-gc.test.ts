import { describe, expect, it } from "vitest";
import { collectStartupGarbage } from "./startup-gc.ts";

describe("collectStartupGarbage", () => {
  it("collects without exposing gc to this process's own code", () => {
    expect(() => collectStartupGarbage()).not.toThrow();
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });
});

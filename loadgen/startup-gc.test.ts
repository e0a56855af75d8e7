import { describe, expect, it } from "vitest";
import { collectStartupGarbage } from "./startup-gc.ts";

describe("collectStartupGarbage", () => {
  it("collects garbage without exposing gc to this process's own code", async () => {
    // A WeakRef's target is kept for the job that made it: make it, then let that job end.
    const ref = (() => new WeakRef({ garbage: new Array(1000).fill(1) }))();
    await new Promise((r) => setTimeout(r, 0));
    collectStartupGarbage();
    expect(ref.deref()).toBeUndefined();
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });
});

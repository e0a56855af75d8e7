import { describe, expect, it } from "vitest";
import { exitCodeText, runExitCodes } from "./run.ts";

describe("exitCodeText", () => {
  it("says what each of the generator's exit codes means, and leaves others bare", () => {
    expect(exitCodeText(runExitCodes.failed)).toBe("code 1: a threshold failed");
    expect(exitCodeText(runExitCodes.aborted)).toBe("code 130: stopped");
    expect(exitCodeText(137)).toBe("code 137");
  });
});

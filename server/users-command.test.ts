import { describe, expect, it } from "vitest";
import { addArgumentsError } from "./users-command.ts";

describe("peakwatch users add", () => {
  it("names the argument at fault: a missing or malformed email, a missing or unknown role", () => {
    expect(addArgumentsError(undefined, "ops")).toBe("give the user's EMAIL");
    expect(addArgumentsError("ops", undefined)).toBe('"ops" is not an email address');
    expect(addArgumentsError("x@example.com", undefined)).toBe("give --role viewer|engineer|ops|admin");
    expect(addArgumentsError("x@example.com", "boss")).toBe(
      'unknown role "boss": use viewer, engineer, ops, admin',
    );
    expect(addArgumentsError("x@example.com", "ops")).toBeUndefined();
  });
});

import { parseArgs } from "node:util";
import { describe, expect, it } from "vitest";
import { argsErrorMessage, isArgsError } from "./cli-args.ts";

const errorOf = (args: string[]): unknown => {
  try {
    parseArgs({ args, options: { out: { type: "string", short: "o" }, shop: { type: "boolean" } } });
  } catch (error) {
    return error;
  }
  return undefined;
};

describe("argsErrorMessage", () => {
  it("names the flag at fault in plain words", () => {
    expect(argsErrorMessage(errorOf(["--bogus"]))).toBe('unknown option "--bogus"');
    expect(argsErrorMessage(errorOf(["-x"]))).toBe('unknown option "-x"');
    expect(argsErrorMessage(errorOf(["--out"]))).toBe("--out needs a value");
    expect(argsErrorMessage(errorOf(["--shop=yes"]))).toBe("--shop takes no value");
    expect(argsErrorMessage(errorOf(["file"]))).toBe('unexpected argument "file"');
    // A negative number reads as another option: said so, not "takes no value".
    expect(argsErrorMessage(errorOf(["--out", "-1"]))).toBe(
      '--out needs a value; a value starting with "-" is written --out=-…',
    );
  });

  it("keeps any other error's message, and tells usage errors from crashes", () => {
    expect(argsErrorMessage(new Error("--rate-scale: expected a number"))).toBe(
      "--rate-scale: expected a number",
    );
    expect(isArgsError(errorOf(["--bogus"]))).toBe(true);
    expect(isArgsError(new Error("boom"))).toBe(false);
    expect(isArgsError(undefined)).toBe(false);
  });
});

import { afterEach, describe, expect, it, vi } from "vitest";
import { checkArguments } from "./cli.ts";
import { commands } from "./commands.ts";

describe("a command without options of its own", () => {
  afterEach(() => vi.restoreAllMocks());

  it("prints its usage for --help instead of starting (hub, shop, profiles, migrate, build-dashboard)", () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    for (const name of ["hub", "shop", "profiles", "migrate", "build-dashboard"]) {
      expect(checkArguments(name, commands[name]!, ["--help"])).toBe(0);
      expect(log).toHaveBeenLastCalledWith(expect.stringContaining(`Usage: peakwatch ${name}`));
    }
  });

  it("refuses an argument it would ignore, naming it, and runs with the ones it takes", () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    expect(checkArguments("hub", commands.hub!, ["--port", "5000"])).toBe(2);
    expect(error).toHaveBeenCalledWith(expect.stringMatching(/^peakwatch hub: unexpected argument "--port"/));
    expect(checkArguments("hub", commands.hub!, [])).toBeUndefined();
    expect(checkArguments("build-dashboard", commands["build-dashboard"]!, ["--if-needed"])).toBeUndefined();
    // A command with its own argument parsing is left to it.
    expect(checkArguments("run", commands.run!, ["--bogus"])).toBeUndefined();
  });
});

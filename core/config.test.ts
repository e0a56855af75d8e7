import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, parseEnv, portSetting } from "./config.ts";

const schema = z.object({ PEAKWATCH_HUB_PORT: portSetting(4000) });

describe("parseEnv", () => {
  it("applies defaults", () => {
    expect(parseEnv(schema, {})).toEqual({ PEAKWATCH_HUB_PORT: 4000 });
  });

  it("names the variable when a value is bad", () => {
    expect(() => parseEnv(schema, { PEAKWATCH_HUB_PORT: "abc" })).toThrowError(ConfigError);
    try {
      parseEnv(schema, { PEAKWATCH_HUB_PORT: "abc" });
    } catch (error) {
      expect((error as ConfigError).variable).toBe("PEAKWATCH_HUB_PORT");
      expect((error as Error).message).toMatch(/PEAKWATCH_HUB_PORT.*"abc"/);
    }
  });
});

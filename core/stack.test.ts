import { describe, expect, it } from "vitest";
import { type StackFile, sameOrigin, stackEnv } from "./stack.ts";

const stack: StackFile = {
  version: 1,
  pid: 1234,
  startedAt: "2026-11-30T16:00:00.000Z",
  hub: { url: "http://127.0.0.1:4000" },
  shop: { url: "http://127.0.0.1:4100" },
  probes: { url: "http://127.0.0.1:4200" },
  tokens: { agent: "agent", shopAdmin: "admin", shopTestHooks: "hooks" },
};

describe("joining a stack", () => {
  it("fills every unset setting from the stack file", () => {
    expect(stackEnv(stack, {})).toEqual({
      PEAKWATCH_HUB_URL: "http://127.0.0.1:4000",
      PEAKWATCH_SHOP_URL: "http://127.0.0.1:4100",
      PEAKWATCH_AGENT_TOKEN: "agent",
      SHOP_ADMIN_TOKEN: "admin",
      SHOP_TEST_HOOKS_TOKEN: "hooks",
    });
  });

  it("lets the environment win, an empty value included", () => {
    const filled = stackEnv(stack, { PEAKWATCH_AGENT_TOKEN: "mine", SHOP_TEST_HOOKS_TOKEN: "" });
    expect(filled.PEAKWATCH_AGENT_TOKEN).toBeUndefined();
    expect(filled.SHOP_TEST_HOOKS_TOKEN).toBeUndefined();
    expect(filled.SHOP_ADMIN_TOKEN).toBe("admin");
  });

  it("keeps a server's tokens when the environment points at another server", () => {
    const filled = stackEnv(stack, {
      PEAKWATCH_SHOP_URL: "http://127.0.0.1:5500",
      PEAKWATCH_HUB_URL: "http://h:1",
    });
    expect(filled).toEqual({});
  });

  it("compares origins after normalisation", () => {
    expect(sameOrigin("http://127.0.0.1:4100/", "http://127.0.0.1:4100")).toBe(true);
    expect(sameOrigin("http://127.0.0.1:80", "http://127.0.0.1")).toBe(true);
    expect(sameOrigin("http://127.0.0.1:4100", "http://localhost:4100")).toBe(false);
    expect(sameOrigin("not a url", "http://x")).toBe(false);
  });
});

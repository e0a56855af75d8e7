import { describe, expect, it } from "vitest";
import { checkTarget } from "./allowlist.ts";

describe("checkTarget", () => {
  it("always allows loopback", () => {
    for (const t of [
      "http://127.0.0.1:4100",
      "http://localhost:4100",
      "http://[::1]:8080",
      "http://127.1.2.3",
    ]) {
      expect(checkTarget(t, {}).ok, t).toBe(true);
    }
  });

  it("allows the configured shop's host and the listed hosts", () => {
    expect(checkTarget("https://shop.internal/", { shopUrl: "https://shop.internal:443" }).ok).toBe(true);
    expect(checkTarget("http://staging.example:8080", { extra: "a.example, staging.example" }).ok).toBe(true);
    expect(checkTarget("http://staging.example:8080", { extra: "staging.example:8080" }).ok).toBe(true);
  });

  it("refuses anything else and says how to allow it", () => {
    const r = checkTarget("http://victim.example", { shopUrl: "http://127.0.0.1:4100" });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/PEAKWATCH_ALLOWED_TARGETS=victim\.example/);
    expect(checkTarget("http://10.0.0.1", {}).ok).toBe(false);
    expect(checkTarget("http://127.0.0.1.evil.example", {}).ok).toBe(false);
    expect(checkTarget("ftp://127.0.0.1", {}).ok).toBe(false);
  });
});

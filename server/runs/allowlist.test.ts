import { describe, expect, it } from "vitest";
import { targetAllowed } from "./allowlist.ts";

const allowed = { shopUrl: "http://shop.internal:4100", extraHosts: ["staging.example.com"] };

describe("targetAllowed", () => {
  it("allows loopback, the shop and listed hosts", () => {
    for (const t of [
      "http://127.0.0.1:4100",
      "http://localhost:8080/x",
      "http://[::1]:1",
      "http://shop.internal:4100",
      "https://staging.example.com",
    ]) {
      expect(targetAllowed(t, allowed)).toEqual({ ok: true });
    }
  });

  it("refuses anything else with a reason", () => {
    expect(targetAllowed("https://example.org", allowed)).toMatchObject({
      ok: false,
      reason: /not allowlisted/,
    });
    expect(targetAllowed("ftp://127.0.0.1", allowed)).toMatchObject({ ok: false });
    expect(targetAllowed("nonsense", allowed)).toMatchObject({ ok: false });
  });
});

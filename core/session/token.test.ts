import { describe, expect, it } from "vitest";
import { hashSessionToken, newSessionToken } from "./token.ts";

describe("session tokens", () => {
  it("carry 128 random bits", () => {
    const token = newSessionToken();
    expect(Buffer.from(token, "base64url")).toHaveLength(16);
    const many = new Set(Array.from({ length: 1000 }, newSessionToken));
    expect(many.size).toBe(1000);
  });

  it("are stored hashed", () => {
    const token = newSessionToken();
    expect(hashSessionToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashSessionToken(token)).not.toContain(token);
  });
});

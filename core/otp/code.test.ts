import * as crypto from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { generateOtpCode, hashOtpCode, OTP_DIGITS, otpCodeMatches } from "./code.ts";

// Wrap the CSPRNG and the constant-time compare so tests can see that they are used.
vi.mock("node:crypto", async (importOriginal) => {
  const original = await importOriginal<typeof import("node:crypto")>();
  return {
    ...original,
    randomInt: vi.fn(original.randomInt),
    timingSafeEqual: vi.fn(original.timingSafeEqual),
  };
});

describe("generateOtpCode", () => {
  it("draws six digits from the CSPRNG (crypto.randomInt over the whole 10^6 range)", () => {
    vi.mocked(crypto.randomInt).mockClear();
    const code = generateOtpCode();
    expect(code).toMatch(/^\d{6}$/);
    expect(OTP_DIGITS).toBe(6);
    expect(crypto.randomInt).toHaveBeenCalledWith(1_000_000);
  });

  it("keeps leading zeros", () => {
    expect(generateOtpCode(() => 42)).toBe("000042");
  });

  it("rarely repeats", () => {
    const codes = new Set(Array.from({ length: 1000 }, () => generateOtpCode()));
    expect(codes.size).toBeGreaterThan(990);
  });
});

describe("hashOtpCode", () => {
  it("is HMAC-SHA-256 under the server secret, never the code or an unkeyed hash of it", () => {
    const hash = hashOtpCode("secret", "challenge-1", "123456");
    const expected = crypto
      .createHmac("sha256", "secret")
      .update(["challenge-1", "123456"].join("\u0000"))
      .digest("hex");
    expect(hash).toBe(expected);
    expect(hash).not.toContain("123456");
    expect(hash).not.toBe(crypto.createHash("md5").update("123456").digest("hex"));
    expect(hash).not.toBe(crypto.createHash("sha256").update("123456").digest("hex"));
    expect(hashOtpCode("another secret", "challenge-1", "123456")).not.toBe(hash);
  });

  it("binds the code to its challenge", () => {
    expect(hashOtpCode("s", "challenge-1", "123456")).not.toBe(hashOtpCode("s", "challenge-2", "123456"));
  });
});

describe("otpCodeMatches", () => {
  const stored = hashOtpCode("secret", "c1", "123456");

  it("accepts the right code and rejects others", () => {
    expect(otpCodeMatches("secret", "c1", "123456", stored)).toBe(true);
    expect(otpCodeMatches("secret", "c1", "123457", stored)).toBe(false);
    expect(otpCodeMatches("secret", "c2", "123456", stored)).toBe(false);
  });

  it("compares in constant time (crypto.timingSafeEqual)", () => {
    vi.mocked(crypto.timingSafeEqual).mockClear();
    otpCodeMatches("secret", "c1", "000000", stored);
    expect(crypto.timingSafeEqual).toHaveBeenCalledTimes(1);
  });
});

import { describe, expect, it } from "vitest";
import { attemptOtpChallenge, defaultOtpPolicy, issueOtpChallenge } from "./challenge.ts";

const secret = "server-secret";
const t0 = new Date("2026-01-01T00:00:00Z");
const at = (ms: number) => new Date(t0.getTime() + ms);

describe("OTP challenge", () => {
  it("stores only the HMAC of the code, never the code", () => {
    const { challenge, code } = issueOtpChallenge({ subject: "a@b.c", secret, now: t0 });
    expect(JSON.stringify(challenge)).not.toContain(code);
    expect(challenge.codeHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("accepts the right code before ten minutes", () => {
    const { challenge, code } = issueOtpChallenge({ subject: "a@b.c", secret, now: t0 });
    expect(defaultOtpPolicy.ttlMs).toBe(10 * 60_000);
    expect(attemptOtpChallenge(challenge, code, secret, at(10 * 60_000 - 1)).ok).toBe(true);
  });

  it("expires after ten minutes by default", () => {
    const { challenge, code } = issueOtpChallenge({ subject: "a@b.c", secret, now: t0 });
    const result = attemptOtpChallenge(challenge, code, secret, at(10 * 60_000));
    expect(result).toMatchObject({ ok: false, reason: "expired" });
  });

  it("takes a configured lifetime", () => {
    const policy = { ttlMs: 60_000, maxAttempts: 5 };
    const { challenge, code } = issueOtpChallenge({ subject: "a@b.c", secret, now: t0, policy });
    expect(attemptOtpChallenge(challenge, code, secret, at(60_000))).toMatchObject({ reason: "expired" });
  });

  it("is single use", () => {
    const { challenge, code } = issueOtpChallenge({ subject: "a@b.c", secret, now: t0 });
    const first = attemptOtpChallenge(challenge, code, secret, at(1000));
    expect(first.ok).toBe(true);
    expect(attemptOtpChallenge(first.challenge, code, secret, at(2000))).toMatchObject({
      ok: false,
      reason: "consumed",
    });
  });

  it("rejects a code issued for another challenge", () => {
    const a = issueOtpChallenge({ subject: "a@b.c", secret, now: t0, generateCode: () => "111111" });
    const b = issueOtpChallenge({ subject: "a@b.c", secret, now: t0, generateCode: () => "222222" });
    expect(attemptOtpChallenge(b.challenge, a.code, secret, at(1000))).toMatchObject({
      reason: "wrong_code",
    });
    // Even a hash lifted from one challenge into another does not verify there.
    const swapped = { ...b.challenge, codeHash: a.challenge.codeHash };
    expect(attemptOtpChallenge(swapped, a.code, secret, at(1000))).toMatchObject({ reason: "wrong_code" });
  });

  it("dies after five wrong tries, even for the right code", () => {
    const { challenge, code } = issueOtpChallenge({ subject: "a@b.c", secret, now: t0 });
    const wrong = code === "000000" ? "000001" : "000000";
    let state = challenge;
    for (let i = 0; i < 5; i++) {
      const result = attemptOtpChallenge(state, wrong, secret, at(1000));
      expect(result).toMatchObject({ ok: false, reason: "wrong_code" });
      state = result.challenge;
    }
    expect(state.attempts).toBe(5);
    expect(attemptOtpChallenge(state, code, secret, at(1000))).toMatchObject({
      ok: false,
      reason: "too_many_attempts",
    });
  });

  it("fails under another server secret", () => {
    const { challenge, code } = issueOtpChallenge({ subject: "a@b.c", secret, now: t0 });
    expect(attemptOtpChallenge(challenge, code, "other", at(1000))).toMatchObject({ reason: "wrong_code" });
  });
});

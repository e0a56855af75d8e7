import { createHmac, randomInt, timingSafeEqual } from "node:crypto";

/** Digits in a one-time code. Six keeps it typeable; the try limit keeps guessing hopeless. */
export const OTP_DIGITS = 6;

/** A uniformly random code of OTP_DIGITS digits from the operating system's CSPRNG. */
export function generateOtpCode(randomBelow: (max: number) => number = randomInt): string {
  return String(randomBelow(10 ** OTP_DIGITS)).padStart(OTP_DIGITS, "0");
}

/**
 * HMAC-SHA-256 of the code bound to its challenge, under a server secret (hex).
 * Keyed because a 6-digit code under any unkeyed hash falls to 10^6 guesses; the
 * challenge id in the message makes a code from one challenge useless for another.
 */
export function hashOtpCode(secret: string | Buffer, challengeId: string, code: string): string {
  return createHmac("sha256", secret).update(`${challengeId}\0${code}`).digest("hex");
}

/** Whether `code` matches the stored HMAC, compared in constant time. */
export function otpCodeMatches(
  secret: string | Buffer,
  challengeId: string,
  code: string,
  storedHash: string,
): boolean {
  const expected = Buffer.from(storedHash, "hex");
  const actual = Buffer.from(hashOtpCode(secret, challengeId, code), "hex");
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

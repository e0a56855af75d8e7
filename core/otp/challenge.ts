import { randomUUID } from "node:crypto";
import { generateOtpCode, hashOtpCode, otpCodeMatches } from "./code.ts";

/** How long a code lives and how many wrong tries kill it. */
export interface OtpPolicy {
  ttlMs: number;
  maxAttempts: number;
}

/** NIST SP 800-63B caps an emailed code at 10 minutes; five tries leave a 5 in 10^6 chance of a guess. */
export const defaultOtpPolicy: OtpPolicy = { ttlMs: 10 * 60_000, maxAttempts: 5 };

/**
 * A login attempt waiting for its code. Storage-agnostic: the shop and the hub each keep
 * these in their own tables. The code itself is never stored, only its HMAC.
 */
export interface OtpChallenge {
  id: string;
  /** Who is logging in (an email address). */
  subject: string;
  codeHash: string;
  createdAt: Date;
  expiresAt: Date;
  /** Wrong codes tried so far. */
  attempts: number;
  maxAttempts: number;
  /** Set once the code has been accepted: a challenge is single use. */
  consumedAt: Date | null;
}

export interface IssuedChallenge {
  challenge: OtpChallenge;
  /** The plaintext code, to be mailed and then forgotten. */
  code: string;
}

/** Creates a challenge for `subject` at `now`; the caller stores `challenge` and sends `code`. */
export function issueOtpChallenge(options: {
  subject: string;
  secret: string | Buffer;
  now: Date;
  policy?: OtpPolicy;
  id?: string;
  generateCode?: () => string;
}): IssuedChallenge {
  const policy = options.policy ?? defaultOtpPolicy;
  const id = options.id ?? randomUUID();
  const code = (options.generateCode ?? generateOtpCode)();
  return {
    code,
    challenge: {
      id,
      subject: options.subject,
      codeHash: hashOtpCode(options.secret, id, code),
      createdAt: options.now,
      expiresAt: new Date(options.now.getTime() + policy.ttlMs),
      attempts: 0,
      maxAttempts: policy.maxAttempts,
      consumedAt: null,
    },
  };
}

export type OtpFailure = "expired" | "consumed" | "too_many_attempts" | "wrong_code";

/** The outcome of one try; `challenge` is the new state the caller must store either way. */
export type OtpAttempt =
  | { ok: true; challenge: OtpChallenge }
  | { ok: false; reason: OtpFailure; challenge: OtpChallenge };

/**
 * Tries `code` against `challenge` at `now`. Pure: returns the next state (attempts counted,
 * consumed on success) without touching storage. A dead challenge (expired, used, or out of
 * tries) rejects even the right code.
 */
export function attemptOtpChallenge(
  challenge: OtpChallenge,
  code: string,
  secret: string | Buffer,
  now: Date,
): OtpAttempt {
  if (challenge.consumedAt) return { ok: false, reason: "consumed", challenge };
  if (now.getTime() >= challenge.expiresAt.getTime()) return { ok: false, reason: "expired", challenge };
  if (challenge.attempts >= challenge.maxAttempts)
    return { ok: false, reason: "too_many_attempts", challenge };
  if (!otpCodeMatches(secret, challenge.id, code, challenge.codeHash)) {
    return { ok: false, reason: "wrong_code", challenge: { ...challenge, attempts: challenge.attempts + 1 } };
  }
  return { ok: true, challenge: { ...challenge, consumedAt: now } };
}

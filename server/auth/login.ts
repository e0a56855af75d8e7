import { and, eq, gt, isNull, lt, sql } from "drizzle-orm";
import { attemptOtpChallenge, issueOtpChallenge, type OtpChallenge } from "../../core/otp/challenge.ts";
import type { LimitResult } from "../../core/rate-limit.ts";
import type { Db } from "../../db/open.ts";
import { otpChallenges, type User } from "../../db/schema/hub.ts";
import type { SharedLimiter } from "./login-limits.ts";
import type { LoginMailer } from "./mailer.ts";
import { normalizeEmail, type Users, userActive } from "./users.ts";

/**
 * Limits keyed by the client's address, never by the account alone: a limit on the account
 * would let anyone lock its real owner out, and would answer differently for unknown emails.
 * Kept in the database, so every hub replica behind one load balancer counts the same tries.
 */
export interface LoginLimits {
  /** Codes requested from one address (any accounts). */
  codesPerAddress: SharedLimiter;
  /** Codes requested for one account from one address (so an inbox cannot be flooded). */
  codesPerAccountAndAddress: SharedLimiter;
  /** Wrong codes tried from one address (any challenges). */
  failuresPerAddress: SharedLimiter;
}

export type LoginResult =
  | { ok: true; user: User }
  | { ok: false; reason: "bad_code" | "expired_user" }
  | { ok: false; reason: "rate_limited"; retryAfterSeconds: number };

export type LoginRequest = { challengeId: string } | { rateLimited: true; retryAfterSeconds: number };

const refused = (limit: LimitResult & { ok: false }) => ({
  rateLimited: true as const,
  retryAfterSeconds: limit.retryAfterSeconds,
});

/**
 * Email one-time-code login (core/otp). Requests answer the same, after the same database
 * work, whether or not the account exists; codes are stored as HMACs, single use, expiring,
 * with a try limit counted atomically in the database.
 */
export class Login {
  constructor(
    private readonly db: Db,
    private readonly users: Users,
    private readonly mailer: LoginMailer,
    private readonly secret: string,
    private readonly now: () => number,
    private readonly limits: LoginLimits,
  ) {}

  /** Starts a login from `address`; a challenge id either way, or a refusal with its wait. */
  async request(emailInput: string, address: string): Promise<LoginRequest> {
    const email = normalizeEmail(emailInput);
    // The address limit first: it also bounds how many account keys one address can create.
    const perAddress = await this.limits.codesPerAddress.hit(address);
    if (!perAddress.ok) return refused(perAddress);
    const perAccount = await this.limits.codesPerAccountAndAddress.hit(`${email}\n${address}`);
    if (!perAccount.ok) return refused(perAccount);
    const now = this.now();
    const { challenge, code } = issueOtpChallenge({
      subject: email,
      secret: this.secret,
      now: new Date(now),
    });
    // Stored for unknown accounts too, so the answer and the work do not tell which emails exist.
    await this.db.insert(otpChallenges).values(challenge);
    const user = await this.users.byEmail(email);
    if (user && userActive(user, now)) await this.mailer.sendCode(email, code);
    return { challengeId: challenge.id };
  }

  /** Checks a code sent from `address`; on success the challenge is used up and the user returned. */
  async verify(challengeId: string, code: string, address: string): Promise<LoginResult> {
    const blocked = await this.limits.failuresPerAddress.check(address);
    if (!blocked.ok)
      return { ok: false, reason: "rate_limited", retryAfterSeconds: blocked.retryAfterSeconds };
    const now = new Date(this.now());
    // One conditional UPDATE takes a try before the code is even compared: concurrent
    // guesses each take their own, and none gets past maxAttempts (Postgres row locks).
    const [row] = await this.db
      .update(otpChallenges)
      .set({ attempts: sql`${otpChallenges.attempts} + 1` })
      .where(
        and(
          eq(otpChallenges.id, challengeId),
          isNull(otpChallenges.consumedAt),
          gt(otpChallenges.expiresAt, now),
          lt(otpChallenges.attempts, otpChallenges.maxAttempts),
        ),
      )
      .returning();
    // The try was counted already; the pure check sees the state before it.
    const attempt = row
      ? attemptOtpChallenge({ ...row, attempts: row.attempts - 1 } as OtpChallenge, code, this.secret, now)
      : undefined;
    if (!row || !attempt?.ok) return this.failed(address);
    // Conditional on still unused, so two concurrent right answers cannot both log in.
    const consumed = await this.db
      .update(otpChallenges)
      .set({ consumedAt: now })
      .where(and(eq(otpChallenges.id, challengeId), isNull(otpChallenges.consumedAt)))
      .returning({ id: otpChallenges.id });
    if (consumed.length === 0) return this.failed(address);
    const user = await this.users.byEmail(row.subject);
    if (!user) return this.failed(address);
    if (!userActive(user, this.now())) return { ok: false, reason: "expired_user" };
    return { ok: true, user };
  }

  private async failed(address: string): Promise<LoginResult> {
    await this.limits.failuresPerAddress.hit(address);
    return { ok: false, reason: "bad_code" };
  }
}

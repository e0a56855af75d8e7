import { randomUUID } from "node:crypto";
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import {
  attemptOtpChallenge,
  defaultOtpPolicy,
  issueOtpChallenge,
  type OtpChallenge,
} from "../../core/otp/challenge.ts";
import type { Db } from "../../db/open.ts";
import { otpChallenges, type User } from "../../db/schema/hub.ts";
import type { LoginMailer } from "./mailer.ts";
import { normalizeEmail, type Users, userActive } from "./users.ts";

/** Most login codes one address may request per code lifetime. */
const MAX_CHALLENGES_PER_WINDOW = 5;

export type LoginResult = { ok: true; user: User } | { ok: false; reason: "bad_code" | "expired_user" };

/**
 * Email one-time-code login (core/otp). Requests answer the same whether or not the account
 * exists; codes are stored as HMACs, single use, expiring, with a try limit.
 */
export class Login {
  constructor(
    private readonly db: Db,
    private readonly users: Users,
    private readonly mailer: LoginMailer,
    private readonly secret: string,
    private readonly now: () => number,
  ) {}

  /** Starts a login; returns a challenge id either way, or "rate_limited". */
  async request(emailInput: string): Promise<{ challengeId: string } | "rate_limited"> {
    const email = normalizeEmail(emailInput);
    const now = this.now();
    const since = new Date(now - defaultOtpPolicy.ttlMs);
    const [recent] = await this.db
      .select({ n: sql<number>`count(*)::int` })
      .from(otpChallenges)
      .where(and(eq(otpChallenges.subject, email), gt(otpChallenges.createdAt, since)));
    if ((recent?.n ?? 0) >= MAX_CHALLENGES_PER_WINDOW) return "rate_limited";
    const user = await this.users.byEmail(email);
    if (!user || !userActive(user, now)) return { challengeId: randomUUID() };
    const { challenge, code } = issueOtpChallenge({
      subject: email,
      secret: this.secret,
      now: new Date(now),
    });
    await this.db.insert(otpChallenges).values(challenge);
    await this.mailer.sendCode(email, code);
    return { challengeId: challenge.id };
  }

  /** Checks a code; on success the challenge is used up and the user returned. */
  async verify(challengeId: string, code: string): Promise<LoginResult> {
    const [row] = await this.db.select().from(otpChallenges).where(eq(otpChallenges.id, challengeId));
    if (!row) return { ok: false, reason: "bad_code" };
    const attempt = attemptOtpChallenge(row as OtpChallenge, code, this.secret, new Date(this.now()));
    if (!attempt.ok) {
      await this.db
        .update(otpChallenges)
        .set({ attempts: attempt.challenge.attempts })
        .where(eq(otpChallenges.id, challengeId));
      return { ok: false, reason: "bad_code" };
    }
    // Conditional on still unused, so two concurrent right answers cannot both log in.
    const consumed = await this.db
      .update(otpChallenges)
      .set({ consumedAt: attempt.challenge.consumedAt })
      .where(and(eq(otpChallenges.id, challengeId), isNull(otpChallenges.consumedAt)))
      .returning({ id: otpChallenges.id });
    if (consumed.length === 0) return { ok: false, reason: "bad_code" };
    const user = await this.users.byEmail(row.subject);
    if (!user) return { ok: false, reason: "bad_code" };
    if (!userActive(user, this.now())) return { ok: false, reason: "expired_user" };
    return { ok: true, user };
  }
}

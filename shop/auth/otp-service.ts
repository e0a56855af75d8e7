import { and, eq, isNull, sql } from "drizzle-orm";
import { AppError } from "../../core/http/app-error.ts";
import { attemptOtpChallenge, issueOtpChallenge, type OtpPolicy } from "../../core/otp/challenge.ts";
import type { RateLimiter } from "../../core/rate-limit.ts";
import type { Db } from "../../db/open.ts";
import { customers, otpChallenges } from "../../db/schema/shop.ts";
import type { Outbox } from "../mail/outbox.ts";
import type { ShopMetrics } from "../metrics.ts";

/**
 * Per address, and per account *from one address*: never per account alone, which would let
 * anyone lock a customer out with a few wrong codes (issue 14 finding 9).
 */
export interface OtpLimits {
  requestPerAddress: RateLimiter;
  verifyPerAddress: RateLimiter;
  /** Codes sent for one account to one address, so an inbox cannot be flooded. */
  requestPerAccountAndAddress: RateLimiter;
  /** Failed verifications of one account from one address; a full window locks that pair. */
  failuresPerAccountAndAddress: RateLimiter;
}

const pair = (email: string, address: string) => `${email}\n${address}`;

export interface OtpServiceDeps {
  db: Db;
  secret: Buffer;
  policy: OtpPolicy;
  outbox: Outbox;
  limits: OtpLimits;
  metrics: ShopMetrics;
  now: () => Date;
}

/** A stored challenge with the id and access expiry of the account it names (null: no such account). */
type ChallengeRow = typeof otpChallenges.$inferSelect & {
  customerId: string | null;
  accessExpiresAt: Date | null;
};

/** The one answer to every failed verification: no hint of which rule refused it. */
const invalidCode = () => new AppError("unauthorized", "invalid or expired code");

function limited(result: ReturnType<RateLimiter["hit"]>, what: string): void {
  if (!result.ok) {
    throw new AppError("rate_limited", `too many ${what}; retry later`, {
      headers: { "retry-after": String(result.retryAfterSeconds) },
    });
  }
}

/** Email one-time-code login for the shop's customers (storage and mail around core/otp). */
export class OtpService {
  /** A challenge and the account it names (if any) in one statement. */
  private readonly challengeById;

  constructor(private readonly deps: OtpServiceDeps) {
    this.challengeById = deps.db
      .select({
        id: otpChallenges.id,
        email: otpChallenges.email,
        codeHash: otpChallenges.codeHash,
        createdAt: otpChallenges.createdAt,
        expiresAt: otpChallenges.expiresAt,
        attempts: otpChallenges.attempts,
        maxAttempts: otpChallenges.maxAttempts,
        consumedAt: otpChallenges.consumedAt,
        customerId: customers.id,
        accessExpiresAt: customers.accessExpiresAt,
      })
      .from(otpChallenges)
      .leftJoin(customers, eq(customers.email, otpChallenges.email))
      .where(eq(otpChallenges.id, sql.placeholder("id")))
      .prepare("shop_otp_challenge_by_id");
  }

  /**
   * Issues a challenge and mails its code if the account may log in. The answer, and the
   * work done before answering, are the same whether or not the account exists: a challenge
   * row is always written and the mail goes out in the background.
   */
  async request(rawEmail: string, address: string): Promise<{ challengeId: string }> {
    const { db, limits } = this.deps;
    limited(limits.requestPerAddress.hit(address), "code requests from this address");
    const email = rawEmail.trim().toLowerCase();
    limited(limits.requestPerAccountAndAddress.hit(pair(email, address)), "code requests for this account");
    const now = this.deps.now();
    const [customer] = await db
      .select({ accessExpiresAt: customers.accessExpiresAt })
      .from(customers)
      .where(eq(customers.email, email));
    const { challenge, code } = issueOtpChallenge({
      subject: email,
      secret: this.deps.secret,
      now,
      policy: this.deps.policy,
    });
    await db.insert(otpChallenges).values({
      id: challenge.id,
      email,
      codeHash: challenge.codeHash,
      createdAt: challenge.createdAt,
      expiresAt: challenge.expiresAt,
      attempts: 0,
      maxAttempts: challenge.maxAttempts,
    });
    const mayLogIn = customer && (!customer.accessExpiresAt || customer.accessExpiresAt > now);
    if (mayLogIn) {
      const minutes = Math.round(this.deps.policy.ttlMs / 60_000);
      this.deps.outbox.enqueue({
        to: email,
        subject: "Your Peakwatch Shop login code",
        text: `Your code: ${code}\n\nIt expires in ${minutes} minutes and works once. If you did not ask for it, ignore this mail.\n`,
      });
    }
    this.deps.metrics.otp.labels("issued").inc();
    return { challengeId: challenge.id };
  }

  /** Checks a code; returns the customer on success. Throws 401 (generic) or 429 (with Retry-After). */
  async verify(
    challengeId: string,
    code: string,
    address: string,
  ): Promise<{ customerId: string; email: string }> {
    const { db, limits, metrics } = this.deps;
    limited(limits.verifyPerAddress.hit(address), "verification attempts from this address");
    const [row] = (await this.challengeById.execute({ id: challengeId })) as ChallengeRow[];
    if (!row) {
      metrics.otp.labels("failed").inc();
      throw invalidCode();
    }
    limited(
      limits.failuresPerAccountAndAddress.check(pair(row.email, address)),
      "failed codes for this account",
    );
    const now = this.deps.now();
    const result = attemptOtpChallenge({ ...row, subject: row.email }, code, this.deps.secret, now);
    // Compare-and-set on the attempt count: two concurrent tries can never both use one challenge.
    const updated = await db
      .update(otpChallenges)
      .set({ attempts: result.challenge.attempts, consumedAt: result.challenge.consumedAt })
      .where(
        and(
          eq(otpChallenges.id, row.id),
          eq(otpChallenges.attempts, row.attempts),
          isNull(otpChallenges.consumedAt),
        ),
      )
      .returning({ id: otpChallenges.id });
    const allowed = row.customerId !== null && (row.accessExpiresAt === null || row.accessExpiresAt > now);
    if (!result.ok || updated.length !== 1 || !allowed) {
      limits.failuresPerAccountAndAddress.hit(pair(row.email, address));
      metrics.otp.labels("failed").inc();
      throw invalidCode();
    }
    metrics.otp.labels("verified").inc();
    return { customerId: row.customerId!, email: row.email };
  }
}

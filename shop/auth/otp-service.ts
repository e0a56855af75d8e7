import { and, eq, isNull } from "drizzle-orm";
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
  constructor(private readonly deps: OtpServiceDeps) {}

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
    const [row] = await db.select().from(otpChallenges).where(eq(otpChallenges.id, challengeId));
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
    const customer = result.ok && updated.length === 1 ? await this.loginAllowed(row.email, now) : undefined;
    if (!customer) {
      limits.failuresPerAccountAndAddress.hit(pair(row.email, address));
      metrics.otp.labels("failed").inc();
      throw invalidCode();
    }
    metrics.otp.labels("verified").inc();
    return customer;
  }

  private async loginAllowed(email: string, now: Date) {
    const [customer] = await this.deps.db
      .select({
        customerId: customers.id,
        email: customers.email,
        accessExpiresAt: customers.accessExpiresAt,
      })
      .from(customers)
      .where(eq(customers.email, email));
    if (!customer || (customer.accessExpiresAt && customer.accessExpiresAt <= now)) return undefined;
    return { customerId: customer.customerId, email: customer.email };
  }
}

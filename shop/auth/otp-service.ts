import { eq, sql } from "drizzle-orm";
import { AppError } from "../../core/http/app-error.ts";
import { attemptOtpChallenge, issueOtpChallenge, type OtpPolicy } from "../../core/otp/challenge.ts";
import type { RateLimiter } from "../../core/rate-limit.ts";
import type { Db } from "../../db/open.ts";
import { executePrepared } from "../../db/prepared.ts";
import { customers, otpChallenges, sessions } from "../../db/schema/shop.ts";
import type { Outbox } from "../mail/outbox.ts";
import type { ShopMetrics } from "../metrics.ts";
import type { NewSession } from "./session-store.ts";

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

  /**
   * Checks a code; on success stores `session` for the customer in the same statement that
   * consumes the challenge (a login is one round trip after the read) and returns the
   * customer. Throws 401 (generic) or 429 (with Retry-After); a refused try stores no session.
   */
  async verify(
    challengeId: string,
    code: string,
    address: string,
    session: NewSession,
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
    const allowed = row.customerId !== null && (row.accessExpiresAt === null || row.accessExpiresAt > now);
    const next = result.challenge;
    // Compare-and-set on the attempt count: two concurrent tries can never both use one
    // challenge, and the session exists only if this try is the one that consumed it.
    const opens =
      result.ok && allowed
        ? sql`, opened as (
            insert into ${sessions} (token_hash, customer_id, created_at, last_seen_at)
            select ${session.tokenHash}, ${row.customerId}::uuid, ${session.createdAt.toISOString()}::timestamptz,
                   ${session.createdAt.toISOString()}::timestamptz
            from consumed)`
        : sql``;
    // Prepared (two texts: with and without the session's insert): planned once per connection.
    const [answer] = await executePrepared<{ updated: number }>(
      db,
      sql`
      with consumed as (
        update ${otpChallenges} set attempts = ${next.attempts}::int,
               consumed_at = ${next.consumedAt?.toISOString() ?? null}::timestamptz
        where id = ${row.id} and attempts = ${row.attempts}::int and consumed_at is null
        returning id
      )${opens}
      select count(*)::int as updated from consumed`,
    );
    const updated = answer?.updated ?? 0;
    if (!result.ok || updated !== 1 || !allowed) {
      limits.failuresPerAccountAndAddress.hit(pair(row.email, address));
      metrics.otp.labels("failed").inc();
      throw invalidCode();
    }
    metrics.otp.labels("verified").inc();
    return { customerId: row.customerId!, email: row.email };
  }
}

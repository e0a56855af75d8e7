import { eq, sql } from "drizzle-orm";
import { checkSession, type SessionPolicy } from "../../core/session/session.ts";
import { hashSessionToken, newSessionToken } from "../../core/session/token.ts";
import type { Db } from "../../db/open.ts";
import { customers, sessions } from "../../db/schema/shop.ts";

/** A session not stored yet: the cookie's token and the row that stores it (hashed). */
export interface NewSession {
  token: string;
  tokenHash: string;
  createdAt: Date;
}

/** The customer behind a live session. */
export interface SessionCustomer {
  customerId: string;
  email: string;
  tokenHash: string;
}

/**
 * Login sessions in the shop's table: tokens stored hashed, idle and absolute timeouts
 * checked on every use, dead sessions deleted, an account past its access expiry refused.
 */
export class SessionStore {
  private readonly byHash;

  constructor(
    private readonly db: Db,
    readonly policy: SessionPolicy,
    private readonly now: () => Date,
  ) {
    this.byHash = db
      .select({
        customerId: sessions.customerId,
        createdAt: sessions.createdAt,
        lastSeenAt: sessions.lastSeenAt,
        email: customers.email,
        accessExpiresAt: customers.accessExpiresAt,
      })
      .from(sessions)
      .innerJoin(customers, eq(customers.id, sessions.customerId))
      .where(eq(sessions.tokenHash, sql.placeholder("hash")))
      .prepare("shop_session_by_hash");
  }

  /**
   * A brand-new token (never a reused one) and its row, for a caller that stores it in the
   * statement that logs the customer in (OtpService.verify).
   */
  issue(): NewSession {
    const token = newSessionToken();
    return { token, tokenHash: hashSessionToken(token), createdAt: this.now() };
  }

  /** Starts a session with a brand-new token and returns the token. */
  async create(customerId: string): Promise<string> {
    const { token, tokenHash, createdAt } = this.issue();
    await this.db.insert(sessions).values({ tokenHash, customerId, createdAt, lastSeenAt: createdAt });
    return token;
  }

  /** The customer of a live session, or null (unknown, timed out, or account expired). */
  async resolve(token: string): Promise<SessionCustomer | null> {
    const tokenHash = hashSessionToken(token);
    const [row] = (await this.byHash.execute({ hash: tokenHash })) as Array<{
      customerId: string;
      createdAt: Date;
      lastSeenAt: Date;
      email: string;
      accessExpiresAt: Date | null;
    }>;
    if (!row) return null;
    const now = this.now();
    const check = checkSession(row, now, this.policy);
    const expired = row.accessExpiresAt !== null && row.accessExpiresAt.getTime() <= now.getTime();
    if (!check.ok || expired) {
      await this.db.delete(sessions).where(eq(sessions.tokenHash, tokenHash));
      return null;
    }
    if (check.touch)
      await this.db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.tokenHash, tokenHash));
    return { customerId: row.customerId, email: row.email, tokenHash };
  }

  async delete(token: string): Promise<void> {
    await this.db.delete(sessions).where(eq(sessions.tokenHash, hashSessionToken(token)));
  }
}

import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { checkSession, type SessionPolicy } from "../../core/session/session.ts";
import { hashSessionToken, newSessionToken } from "../../core/session/token.ts";
import type { Db } from "../../db/open.ts";
import { sessions, type User, users } from "../../db/schema/hub.ts";
import { userActive } from "./users.ts";

/** A live session and its user. */
export interface SessionUser {
  tokenHash: string;
  csrfToken: string;
  user: User;
}

/**
 * Dashboard sessions (core/session): 128-bit tokens stored hashed, idle and absolute timeouts,
 * dead the moment their user expires or is deleted.
 */
export class Sessions {
  constructor(
    private readonly db: Db,
    private readonly policy: SessionPolicy,
    private readonly now: () => number,
    /** Told when a session is refused because its user expired (the audit log). */
    private readonly onUserExpired?: (user: User) => Promise<void>,
  ) {}

  /** Starts a session for `userId`; returns the cookie token (shown to the browser only). */
  async create(userId: string): Promise<{ token: string; csrfToken: string }> {
    const token = newSessionToken();
    const csrfToken = randomBytes(16).toString("base64url");
    const at = new Date(this.now());
    await this.db
      .insert(sessions)
      .values({ tokenHash: hashSessionToken(token), userId, csrfToken, createdAt: at, lastSeenAt: at });
    return { token, csrfToken };
  }

  /** The session behind a cookie token, or null if unknown, timed out or its user expired. */
  find(token: string): Promise<SessionUser | null> {
    return this.findByHash(hashSessionToken(token));
  }

  /** As find, by the stored hash (what a Principal carries as sessionId). */
  async findByHash(tokenHash: string): Promise<SessionUser | null> {
    const [row] = await this.db
      .select({ session: sessions, user: users })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(eq(sessions.tokenHash, tokenHash));
    if (!row) return null;
    const now = this.now();
    const check = checkSession(row.session, new Date(now), this.policy);
    if (!check.ok || !userActive(row.user, now)) {
      await this.db.delete(sessions).where(eq(sessions.tokenHash, tokenHash));
      if (check.ok) await this.onUserExpired?.(row.user);
      return null;
    }
    if (check.touch) {
      await this.db
        .update(sessions)
        .set({ lastSeenAt: new Date(now) })
        .where(eq(sessions.tokenHash, tokenHash));
    }
    return { tokenHash, csrfToken: row.session.csrfToken, user: row.user };
  }

  /** Ends a session (logout); unknown tokens are ignored. */
  async end(token: string): Promise<void> {
    await this.db.delete(sessions).where(eq(sessions.tokenHash, hashSessionToken(token)));
  }

  /** Ends every session of a user (role change, deletion, expiry). */
  async endAllOf(userId: string): Promise<void> {
    await this.db.delete(sessions).where(eq(sessions.userId, userId));
  }
}

/** Idle and absolute lifetimes of a login session. */
export interface SessionPolicy {
  idleTimeoutMs: number;
  absoluteTimeoutMs: number;
  /** Refresh `lastSeenAt` at most this often, so every request does not write. */
  touchIntervalMs: number;
}

/** OWASP's guidance for a low-risk app: 30 minutes idle, 12 hours absolute. */
export const defaultSessionPolicy: SessionPolicy = {
  idleTimeoutMs: 30 * 60_000,
  absoluteTimeoutMs: 12 * 60 * 60_000,
  touchIntervalMs: 60_000,
};

/** The timing facts of a stored session; storage-agnostic. */
export interface SessionTimes {
  createdAt: Date;
  lastSeenAt: Date;
}

export type SessionCheck =
  | { ok: true /** Store `now` as the new lastSeenAt. */; touch: boolean }
  | { ok: false; reason: "idle" | "absolute" };

/** Whether a session is still valid at `now`. Pure; the caller deletes dead sessions and applies touches. */
export function checkSession(
  session: SessionTimes,
  now: Date,
  policy: SessionPolicy = defaultSessionPolicy,
): SessionCheck {
  const t = now.getTime();
  if (t - session.createdAt.getTime() >= policy.absoluteTimeoutMs) return { ok: false, reason: "absolute" };
  const idle = t - session.lastSeenAt.getTime();
  if (idle >= policy.idleTimeoutMs) return { ok: false, reason: "idle" };
  return { ok: true, touch: idle >= policy.touchIntervalMs };
}

/** When a session expires if unused from `now` on: the earlier of the idle and absolute limits. */
export function sessionExpiresAt(
  session: SessionTimes,
  now: Date,
  policy: SessionPolicy = defaultSessionPolicy,
): Date {
  return new Date(
    Math.min(now.getTime() + policy.idleTimeoutMs, session.createdAt.getTime() + policy.absoluteTimeoutMs),
  );
}

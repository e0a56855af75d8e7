import { describe, expect, it } from "vitest";
import { checkSession, defaultSessionPolicy, sessionExpiresAt } from "./session.ts";

const t0 = new Date("2026-01-01T00:00:00Z");
const at = (ms: number) => new Date(t0.getTime() + ms);
const minutes = (n: number) => n * 60_000;

describe("checkSession", () => {
  it("uses 30 minutes idle and 12 hours absolute by default", () => {
    expect(defaultSessionPolicy.idleTimeoutMs).toBe(minutes(30));
    expect(defaultSessionPolicy.absoluteTimeoutMs).toBe(minutes(12 * 60));
  });

  it("ends a session idle for 30 minutes", () => {
    const session = { createdAt: t0, lastSeenAt: t0 };
    expect(checkSession(session, at(minutes(30) - 1)).ok).toBe(true);
    expect(checkSession(session, at(minutes(30)))).toEqual({ ok: false, reason: "idle" });
  });

  it("ends a busy session after 12 hours", () => {
    const session = { createdAt: t0, lastSeenAt: at(minutes(12 * 60) - 1000) };
    expect(checkSession(session, at(minutes(12 * 60) - 1)).ok).toBe(true);
    expect(checkSession(session, at(minutes(12 * 60)))).toEqual({ ok: false, reason: "absolute" });
  });

  it("asks for a touch at most once a minute", () => {
    const session = { createdAt: t0, lastSeenAt: t0 };
    expect(checkSession(session, at(30_000))).toEqual({ ok: true, touch: false });
    expect(checkSession(session, at(60_000))).toEqual({ ok: true, touch: true });
  });

  it("reports the earlier of the two limits as the expiry", () => {
    const session = { createdAt: t0, lastSeenAt: t0 };
    expect(sessionExpiresAt(session, at(0))).toEqual(at(minutes(30)));
    expect(sessionExpiresAt(session, at(minutes(12 * 60 - 10)))).toEqual(at(minutes(12 * 60)));
  });
});

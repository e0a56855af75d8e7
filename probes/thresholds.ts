import type { ProbeState } from "../core/probe-result.ts";

/** A probe's state and the streak that may flip it. */
export interface ProbeHealth {
  state: ProbeState;
  /** Consecutive failed checks (0 after a success). */
  failures: number;
  /** Consecutive successful checks (0 after a failure). */
  successes: number;
}

export const initialHealth: ProbeHealth = { state: "unknown", failures: 0, successes: 0 };

export interface Thresholds {
  /** Consecutive failures before DOWN: a single timeout is not an outage. */
  failureThreshold: number;
  /** Consecutive successes before a DOWN probe is UP again, so a flapping target stays DOWN. */
  successThreshold: number;
}

/**
 * The health after one more check. UP turns DOWN after `failureThreshold` failures in a row;
 * DOWN turns UP after `successThreshold` successes in a row. A probe that has never been judged
 * (unknown) is UP at its first success (there is nothing to flap from) and DOWN at the failure
 * threshold. Pure.
 */
export function nextHealth(health: ProbeHealth, ok: boolean, thresholds: Thresholds): ProbeHealth {
  const failures = ok ? 0 : health.failures + 1;
  const successes = ok ? health.successes + 1 : 0;
  let state = health.state;
  if (!ok && failures >= thresholds.failureThreshold) state = "down";
  if (ok && (state === "unknown" || (state === "down" && successes >= thresholds.successThreshold)))
    state = "up";
  return { state, failures, successes };
}

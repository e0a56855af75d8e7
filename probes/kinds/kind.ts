import type { Probe } from "../../core/probe.ts";
import type { Phases, ProbeResult } from "../../core/probe-result.ts";

/** What a kind's check knows about its outcome; the runner adds id, time, region and state. */
export type CheckOutcome = Pick<ProbeResult, "ok" | "status" | "message" | "phases" | "steps">;

/** What a check may use besides its probe definition; injected so tests control time and chance. */
export interface CheckContext {
  /** Environment for `{{env.NAME}}` templates. */
  env: Readonly<Record<string, string | undefined>>;
  /** Uniform in [0, 1). */
  random: () => number;
  /** Wall clock, epoch ms (certificate expiry arithmetic). */
  wallNow: () => number;
}

/**
 * One kind of probe. `check` never throws and never outlives `signal`: every failure, timeouts
 * included, comes back as `{ok: false, message}` with the phases measured so far.
 */
export interface ProbeKind<P extends Probe = Probe> {
  check(probe: P, signal: AbortSignal, context: CheckContext): Promise<CheckOutcome>;
  /** What the result's `target` shows: a URL, host:port. */
  target(probe: P): string;
}

export const zeroPhases = (): Phases => ({ dns: 0, connect: 0, tls: 0, firstByte: 0, transfer: 0, total: 0 });

/** Sums phases of several requests (a flow's steps). */
export function addPhases(a: Phases, b: Phases): Phases {
  return {
    dns: a.dns + b.dns,
    connect: a.connect + b.connect,
    tls: a.tls + b.tls,
    firstByte: a.firstByte + b.firstByte,
    transfer: a.transfer + b.transfer,
    total: a.total + b.total,
  };
}

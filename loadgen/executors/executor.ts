import type { ExecutionSegment } from "../../core/execution-segment.ts";
import type { Profile } from "../../core/profile.ts";
import type { Clock } from "../clock.ts";
import type { HttpClient } from "../http-client.ts";
import type { SchedulingLag } from "../scheduling-lag.ts";
import type { WindowAggregator } from "../window-aggregator.ts";

/** What an executor needs while it runs. */
export interface ExecutorContext {
  target: string;
  clock: Clock;
  aggregator: WindowAggregator;
  /** Aborts the run: the executor stops starting work and returns soon after. */
  signal: AbortSignal;
  testHooksToken: string | undefined;
  /** Seeded shop customers to log in as (customer1..N@shop.test). */
  customers: number;
  /**
   * The first user this process creates (see firstUserOf): runs and the workers of one split run
   * start at different customers and addresses, so a repeated run does not log the same
   * shoppers in again and meet the shop's per-account OTP limits.
   */
  firstUser: number;
  /** A pool already connected and warmed before the start instant (open model); closed with the run. */
  http?: HttpClient;
  /** Where the open model records its own lateness per arrival. */
  lag?: SchedulingLag;
}

/** Live figures for the progress line. */
export interface ExecutorStatus {
  /** Journeys (open) or connections (closed) in use. */
  active: number;
}

/** Drives load for a profile's stages. One per model, chosen by the stage kind. */
export interface Executor {
  readonly plannedSeconds: number;
  /** Target arrivals in an epoch second (open model only). */
  readonly targetOf?: (second: number) => number;
  /** The target rate at a moment (arrivals/s), 0 when the model has none. */
  targetRateAt(nowMs: number): number;
  status(): ExecutorStatus;
  run(ctx: ExecutorContext): Promise<void>;
}

/**
 * Builds an executor for a validated profile whose run starts at `startMs`; an open-model one
 * sends only `segment`'s arrivals (a closed-model one gets its share through the profile).
 */
export type ExecutorFactory = (profile: Profile, startMs: number, segment?: ExecutionSegment) => Executor;

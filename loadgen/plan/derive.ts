/**
 * Sessions of a log → a load profile: the smoothed arrival curve as stages, the journey mix as
 * weights, think times from the gaps between steps, and the aggregates it came from. Pure.
 */
import type { DerivedFrom } from "../../core/derived-profile.ts";
import type { ProfileInput } from "../../core/profile.ts";
import {
  bucketStarts,
  chooseBucketSeconds,
  curveToStages,
  findPeak,
  type RateCurve,
  smooth,
} from "./curve.ts";
import { distributionOf } from "./distribution.ts";
import { classifySession, isLoggedIn, type JourneyName } from "./journeys.ts";
import type { Session, SessionTally } from "./sessions.ts";

export interface DeriveOptions {
  name: string;
  scale?: number;
  compress?: number;
  /** Curve resolution in log seconds (default: quarter hours for a day). */
  bucketSeconds?: number;
  /** Moving-average width in buckets (odd). */
  smoothingBuckets?: number;
  /** Gaps longer than this are a visitor away, not thinking (seconds). */
  maxThinkSeconds?: number;
  files: number;
  lines: number;
  unparsedLines: number;
}

/** Accumulates finished sessions; memory is a start time and a few numbers per session. */
export class ProfileDeriver {
  private readonly starts: number[] = [];
  private readonly journeys = new Map<JourneyName, number>();
  private readonly gaps = new Map<JourneyName, number[]>();
  private loggedIn = 0;
  private first = Number.POSITIVE_INFINITY;
  private last = Number.NEGATIVE_INFINITY;

  constructor(private readonly maxThinkSeconds = 300) {}

  /** Adds one session (a Sessioniser's `emit`). */
  readonly add = (s: Session): void => {
    this.starts.push(s.start);
    const journey = classifySession(s);
    this.journeys.set(journey, (this.journeys.get(journey) ?? 0) + 1);
    if (isLoggedIn(s)) this.loggedIn++;
    const gaps = this.gaps.get(journey) ?? [];
    this.gaps.set(journey, gaps);
    for (let i = 1; i < s.steps.length; i++) {
      const gap = (s.steps[i]!.time - s.steps[i - 1]!.time) / 1000;
      if (gap > 0 && gap <= this.maxThinkSeconds) gaps.push(gap);
    }
    this.first = Math.min(this.first, s.start);
    this.last = Math.max(this.last, s.steps[s.steps.length - 1]!.time);
  };

  get sessions(): number {
    return this.starts.length;
  }

  /** The raw (unsmoothed) curve of session starts. */
  curve(bucketSeconds?: number): RateCurve {
    const span = Math.max(1, (this.last - this.first) / 1000);
    const bucket = bucketSeconds ?? chooseBucketSeconds(span);
    return bucketStarts(this.starts, this.first, this.last + 1, bucket);
  }

  /** The profile and its source aggregates; throws when no session had a known step. */
  derive(tally: SessionTally, o: DeriveOptions): { profile: ProfileInput; derivedFrom: DerivedFrom } {
    if (this.starts.length === 0)
      throw new Error("no session in the logs matched a known route: check --routes");
    const scale = o.scale ?? 1;
    const compress = o.compress ?? 1;
    const width = o.smoothingBuckets ?? 3;
    const raw = this.curve(o.bucketSeconds);
    const curve: RateCurve = { ...raw, rates: smooth(raw.rates, width) };
    const peak = findPeak(curve);
    const { startRate, stages } = curveToStages(curve, { scale, compress });
    const total = this.starts.length;
    const shares: Record<string, number> = {};
    const thinkTime: DerivedFrom["thinkTime"] = {};
    const journeys: NonNullable<ProfileInput["journeys"]> = [];
    for (const [journey, n] of [...this.journeys].sort((a, b) => b[1] - a[1])) {
      shares[journey] = Math.round((n / total) * 10_000) / 10_000;
      const d = distributionOf(this.gaps.get(journey) ?? []);
      if (d.count > 0) thinkTime[journey] = d;
      journeys.push({
        name: journey,
        weight: Math.round((n / total) * 10_000) / 100,
        ...(d.count > 0 ? { thinkTime: { min: d.p10, max: Math.max(d.p10, d.p90) } } : {}),
      });
    }
    const unknownTop = [...tally.unknown].sort((a, b) => b[1] - a[1]).slice(0, 20);
    const derivedFrom: DerivedFrom = {
      kind: "access-log",
      files: o.files,
      firstRequest: new Date(this.first).toISOString(),
      lastRequest: new Date(this.last).toISOString(),
      lines: o.lines,
      unparsedLines: o.unparsedLines,
      requests: tally.requests,
      ignoredRequests: tally.ignored,
      sessions: total,
      sessionsWithoutSteps: tally.withoutSteps,
      unknownRoutes: {
        requests: [...tally.unknown.values()].reduce((a, b) => a + b, 0),
        top: unknownTop.map(([route, requests]) => ({ route, requests })),
      },
      bucketSeconds: curve.bucketSeconds,
      smoothingBuckets: width,
      scale,
      compress,
      peak: {
        rate: Math.round(peak.rate * scale * 1000) / 1000,
        at: new Date(curve.startMs + peak.atSeconds * 1000).toISOString(),
        // Stages run through bucket middles, so bucket i's middle is i stage lengths in.
        profileSeconds: Math.round(((peak.index * curve.bucketSeconds) / compress) * 10) / 10,
      },
      journeyShares: shares,
      loggedInShare: Math.round((this.loggedIn / total) * 10_000) / 10_000,
      checkoutShare: Math.round(((this.journeys.get("checkout") ?? 0) / total) * 10_000) / 10_000,
      thinkTime,
    };
    const profile: ProfileInput = {
      name: o.name,
      description: `From ${total} sessions of ${o.files} access log(s), ${derivedFrom.firstRequest.slice(0, 16)} to ${derivedFrom.lastRequest.slice(0, 16)}; peak ${derivedFrom.peak.rate} sessions/s${scale !== 1 ? ` (×${scale})` : ""}${compress !== 1 ? `, ${compress}× faster` : ""}`,
      startRate,
      stages,
      journeys,
      derivedFrom,
    };
    return { profile, derivedFrom };
  }
}

import { parseProfile, profileSeconds, rateSegments, scaleProfile } from "../../core/profile.ts";
import { builtinProfiles } from "../../core/profiles/index.ts";
import { RateSchedule } from "../../core/rate.ts";

/** What the hub knows of a run's plan: its arrival schedule (open model) or only its length. */
export type RunPlan = { schedule: RateSchedule } | { plannedSeconds: number };

/**
 * The plan of a built-in profile stretched to `plannedSeconds` (its duration scale) at
 * `rateScale`, so a lost worker's missing arrivals are counted on the schedule its run really
 * had. Unknown profiles and closed-model ones give their length only. Pure.
 */
export function runPlan(profile: string, plannedSeconds: number, rateScale = 1): RunPlan {
  const parsed = parseProfile(builtinProfiles[profile]);
  if (!parsed.ok || !(plannedSeconds > 0)) return { plannedSeconds };
  const length = profileSeconds(parsed.profile);
  const scaled = scaleProfile(parsed.profile, {
    duration: length > 0 ? plannedSeconds / length : 1,
    rate: rateScale,
  });
  if (scaled.stages.some((s) => s.rate === undefined)) return { plannedSeconds };
  return { schedule: new RateSchedule(rateSegments(scaled)) };
}

/** A built-in profile's planned length in seconds after scaling; undefined for an unknown one. */
export function plannedSeconds(profile: string, durationScale = 1): number | undefined {
  const parsed = parseProfile(builtinProfiles[profile]);
  return parsed.ok ? profileSeconds(scaleProfile(parsed.profile, { duration: durationScale })) : undefined;
}

import { z } from "zod";
import type { Labels } from "./fingerprint.ts";
import { MatcherSchema, matchAll } from "./matchers.ts";

/** What POST /silences accepts: mutes notifications of matching alerts between startsAt and endsAt. */
export const SilenceInputSchema = z
  .strictObject({
    matchers: z.array(MatcherSchema).min(1).max(20),
    /** Unix epoch milliseconds; absent means now. */
    startsAt: z.number().int().nonnegative().optional(),
    endsAt: z.number().int().positive(),
    comment: z.string().min(1).max(2000),
  })
  .refine((s) => s.startsAt === undefined || s.endsAt > s.startsAt, {
    message: "endsAt must be after startsAt",
    path: ["endsAt"],
  });
export type SilenceInput = z.infer<typeof SilenceInputSchema>;

export const silenceStates = ["pending", "active", "expired"] as const;
export type SilenceState = (typeof silenceStates)[number];

export interface Silence {
  id: string;
  matchers: z.infer<typeof MatcherSchema>[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
  createdAt: number;
}

/** A silence's state at `now`: it expires by itself at endsAt, no clean-up needed. */
export function silenceState(silence: Pick<Silence, "startsAt" | "endsAt">, now: number): SilenceState {
  if (now < silence.startsAt) return "pending";
  return now < silence.endsAt ? "active" : "expired";
}

/** Ids of the silences active at `now` whose matchers all accept `labels`. */
export function silencedBy(silences: ReadonlyArray<Silence>, labels: Labels, now: number): string[] {
  return silences
    .filter((s) => silenceState(s, now) === "active" && matchAll(s.matchers, labels))
    .map((s) => s.id);
}

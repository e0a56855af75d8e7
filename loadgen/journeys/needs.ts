import type { Profile } from "../../core/profile.ts";

/**
 * Built-in journeys that log in with an emailed one-time code, which they read from the shop's
 * capture mailbox (`/__test/mailbox`, token SHOP_TEST_HOOKS_TOKEN). Without that token every
 * such login fails, so a run that needs it refuses to start rather than report 100 % errors.
 */
export const mailboxJourneys: ReadonlySet<string> = new Set(["checkout"]);

/** Names of the profile's weighted built-in journeys that need the capture mailbox. */
export function journeysNeedingMailbox(profile: Pick<Profile, "journeys">): string[] {
  return profile.journeys
    .filter((j) => j.weight > 0 && !j.steps && mailboxJourneys.has(j.name))
    .map((j) => j.name);
}

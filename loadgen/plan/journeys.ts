/**
 * A session's steps → one of the generator's built-in journeys, the deepest intent winning
 * (a session that checked out is a checkout journey, whatever it browsed first). Pure.
 */
import type { builtinJourneys } from "../../core/profile.ts";
import type { PlanStep } from "./routes.ts";
import type { Session } from "./sessions.ts";

export type JourneyName = (typeof builtinJourneys)[number];

/** Highest intent first: the first journey whose step the session has is its journey. */
const INTENT: ReadonlyArray<[PlanStep, JourneyName]> = [
  ["checkout", "checkout"],
  ["cart_add", "add_to_cart"],
  ["cart_view", "view_cart"],
  ["recommendations", "recommendations"],
  ["product", "product"],
  ["search", "search"],
  ["categories", "browse"],
  ["products", "home"],
  ["home", "home"],
];

/** The journey a session stands for; `login` alone counts as home (a visit that signed in). */
export function classifySession(s: Pick<Session, "steps">): JourneyName {
  const seen = new Set(s.steps.map((x) => x.step));
  for (const [step, journey] of INTENT) if (seen.has(step)) return journey;
  return "home";
}

/** Whether the visitor was signed in: a login step, or a user named by the log. */
export function isLoggedIn(s: Session): boolean {
  return s.authenticated || s.steps.some((x) => x.step === "login");
}

/** The built-in load profiles, as data: the hub and dashboard list them without importing loadgen. */
import type { ProfileInput } from "../profile.ts";
import { baseline } from "./baseline.ts";
import { breakpoint } from "./breakpoint.ts";
import { flashSale } from "./flash-sale.ts";
import { holidaySpike } from "./holiday-spike.ts";
import { smoke } from "./smoke.ts";
import { soak } from "./soak.ts";

export const builtinProfiles: Readonly<Record<string, ProfileInput>> = {
  smoke,
  baseline,
  "holiday-spike": holidaySpike,
  "flash-sale": flashSale,
  soak,
  breakpoint,
};

/** Name and one-line description of each built-in profile (GET /api/v1/profiles). */
export function profileList(): { name: string; description: string }[] {
  return Object.entries(builtinProfiles).map(([name, p]) => ({ name, description: p.description ?? "" }));
}

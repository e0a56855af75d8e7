import type { ProfileInput } from "../profile.ts";
import { defaultMix, shopperThinkTime } from "./mixes.ts";

export const baseline: ProfileInput = {
  name: "baseline",
  description: "An ordinary day: ramp to 30 journeys/s, hold 4 min; the numbers to compare runs against",
  startRate: 0,
  stages: [
    { duration: "1m", rate: 30 },
    { duration: "4m", rate: 30 },
    { duration: "30s", rate: 0 },
  ],
  journeys: defaultMix.map((j) => ({ ...j, thinkTime: shopperThinkTime })),
  thresholds: ["p95 < 500ms", "p95(checkout) < 800ms", "error_rate < 1%", "achieved_rate > 95%"],
};

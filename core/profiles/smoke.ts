import type { ProfileInput } from "../profile.ts";
import { defaultMix } from "./mixes.ts";

export const smoke: ProfileInput = {
  name: "smoke",
  description: "30 s at 5 journeys/s with the default mix: is everything wired up?",
  stages: [{ duration: "30s", rate: 5 }],
  journeys: defaultMix,
  thresholds: ["error_rate < 1%", "p95 < 1s"],
};

import type { ProfileInput } from "../profile.ts";
import { defaultMix } from "./mixes.ts";

export const breakpoint: ProfileInput = {
  name: "breakpoint",
  description:
    "Ramps 5 → 500 journeys/s over 10 min until p95 or errors break; reports the highest rate that held",
  startRate: 5,
  stages: [{ duration: "10m", rate: 500 }],
  journeys: defaultMix,
  thresholds: [
    { expression: "p95 < 1s", abortOnFail: true, window: "10s", delayAbortEval: "20s" },
    { expression: "error_rate < 5%", abortOnFail: true, window: "10s", delayAbortEval: "20s" },
    { expression: "achieved_rate > 95%", abortOnFail: true, window: "10s", delayAbortEval: "20s" },
  ],
  executor: { connections: 256, maxVUs: 5000, maxQueueDelay: "1s", timeout: "10s" },
  breakpoint: true,
};

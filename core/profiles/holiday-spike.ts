import type { ProfileInput } from "../profile.ts";
import { holidayMix, shopperThinkTime } from "./mixes.ts";

export const holidaySpike: ProfileInput = {
  name: "holiday-spike",
  description:
    "Black Friday: 10 → 60 journeys/s in a minute, 3 min at peak, cart- and checkout-heavy mix; the payment provider fails 30 % for a minute at peak",
  startRate: 10,
  stages: [
    { duration: "1m", rate: 10 },
    { duration: "1m", rate: 60 },
    { duration: "3m", rate: 60 },
    { duration: "1m", rate: 10 },
    { duration: "30s", rate: 10 },
  ],
  journeys: holidayMix.map((j) => ({ ...j, thinkTime: shopperThinkTime })),
  thresholds: [
    "p95(checkout) < 800ms",
    "p99 < 2s",
    "error_rate < 2%",
    "achieved_rate > 95%",
    { expression: "error_rate < 20%", abortOnFail: true, window: "15s", delayAbortEval: "30s" },
  ],
  // The incident ops rehearse: the default alert rules must fire on it and resolve after it.
  faults: [{ at: "150s", fault: "payment_failure", params: { percentage: 30 }, duration: "60s" }],
  executor: { connections: 128, maxVUs: 4000, maxQueueDelay: "1s", timeout: "10s" },
};

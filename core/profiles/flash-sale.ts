import type { ProfileInput } from "../profile.ts";
import { shopperThinkTime } from "./mixes.ts";

export const flashSale: ProfileInput = {
  name: "flash-sale",
  description: "A sale opens: 5 → 80 journeys/s in 10 s, payments fail 30 % for a minute mid-peak",
  startRate: 5,
  stages: [
    { duration: "1m", rate: 5 },
    { duration: "10s", rate: 80 },
    { duration: "2m", rate: 80 },
    { duration: "10s", rate: 5 },
    { duration: "1m", rate: 5 },
  ],
  journeys: [
    { name: "product", weight: 5, thinkTime: shopperThinkTime },
    { name: "add_to_cart", weight: 8, thinkTime: shopperThinkTime },
    { name: "view_cart", weight: 2, thinkTime: shopperThinkTime },
    { name: "checkout", weight: 6, thinkTime: shopperThinkTime },
  ],
  thresholds: ["p95(checkout) < 1s", "p99 < 3s", "error_rate < 5%", "achieved_rate > 90%"],
  faults: [{ at: "90s", fault: "payment_failure", params: { percentage: 30 }, duration: "60s" }],
  executor: { connections: 128, maxVUs: 4000, maxQueueDelay: "1s", timeout: "10s" },
};
